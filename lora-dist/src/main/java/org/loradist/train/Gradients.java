package org.loradist.train;

/** Global-norm clipping and finiteness checks over a list of gradient tensors. */
public final class Gradients {
  private Gradients() {
  }

  /** L2 norm over all tensors together, accumulated in double. */
  public static double globalNorm(float[][] grads) {
    double sq = 0;
    for (float[] g : grads) {
      for (float x : g) {
        sq += (double) x * x;
      }
    }
    return Math.sqrt(sq);
  }

  /**
   * Scales the gradients in place so that their global norm is at most {@code maxNorm} (as
   * torch.nn.utils.clip_grad_norm_: factor {@code maxNorm / (norm + 1e-6)}, only when below 1). A maxNorm of 0 or
   * less turns clipping off. Returns the factor applied.
   */
  public static double clip(float[][] grads, double norm, double maxNorm) {
    if (maxNorm <= 0) {
      return 1;
    }
    double factor = maxNorm / (norm + 1e-6);
    if (factor >= 1) {
      return 1;
    }
    for (float[] g : grads) {
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) (g[i] * factor);
      }
    }
    return factor;
  }

  /** Index of the first tensor holding NaN or Inf, or -1. */
  public static int firstNonFinite(float[][] grads) {
    for (int t = 0; t < grads.length; t++) {
      for (float x : grads[t]) {
        if (!Float.isFinite(x)) {
          return t;
        }
      }
    }
    return -1;
  }
}
