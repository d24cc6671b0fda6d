package org.loradist.train;

import java.util.List;

/**
 * AdamW with decoupled weight decay and bias correction, in plain Java arithmetic, bit-for-bit the same on every
 * JVM (Java float/double arithmetic is strict), so replicas that apply it to the same summed gradient stay
 * identical. The order of operations follows torch.optim.AdamW:
 * {@code p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}.
 */
public final class AdamW {
  private final AdamWConfig config;
  private final boolean[] decays;

  public AdamW(AdamWConfig config, List<TensorSpec> specs) {
    this.config = config;
    this.decays = new boolean[specs.size()];
    for (int i = 0; i < decays.length; i++) {
      decays[i] = config.decays(specs.get(i).name());
    }
  }

  /**
   * Applies one update with learning rate {@code lr} to the state's values and moments; the state's step counter
   * is not touched (see {@link TrainState}); {@code t} is the 1-based update number used for bias correction.
   */
  public void apply(TrainState state, float[][] grads, double lr, long t) {
    TrainState.checkShapes(state.specs(), grads, "gradients");
    double b1 = config.beta1();
    double b2 = config.beta2();
    double correction1 = 1 - Math.pow(b1, t);
    double sqrtCorrection2 = Math.sqrt(1 - Math.pow(b2, t));
    double stepSize = lr / correction1;
    float[][] p = state.values();
    float[][] m = state.firstMoments();
    float[][] v = state.secondMoments();
    for (int k = 0; k < p.length; k++) {
      float decay = decays[k] ? (float) (1 - lr * config.weightDecay()) : 1f;
      float[] pk = p[k];
      float[] mk = m[k];
      float[] vk = v[k];
      float[] gk = grads[k];
      for (int i = 0; i < pk.length; i++) {
        double g = gk[i];
        float mi = (float) (b1 * mk[i] + (1 - b1) * g);
        float vi = (float) (b2 * vk[i] + (1 - b2) * g * g);
        mk[i] = mi;
        vk[i] = vi;
        double denom = Math.sqrt(vi) / sqrtCorrection2 + config.eps();
        pk[i] = (float) (pk[i] * decay - stepSize * mi / denom);
      }
    }
  }
}
