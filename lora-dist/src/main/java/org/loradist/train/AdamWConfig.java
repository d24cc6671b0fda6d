package org.loradist.train;

import java.io.Serializable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * AdamW hyper-parameters (as torch.optim.AdamW). Tensors whose name matches {@code noDecayPattern} (biases, layer
 * norms by default) get no weight decay; an empty pattern decays everything.
 */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay,
    String noDecayPattern) implements Serializable {

  public static final String DEFAULT_NO_DECAY = ".*(bias|LayerNorm\\.weight|layer_norm\\.weight)$";

  public AdamWConfig {
    if (!(lr > 0) || !Double.isFinite(lr)) {
      throw new IllegalArgumentException("lr must be a positive number, got " + lr);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
    }
    if (!(eps > 0) || !(weightDecay >= 0)) {
      throw new IllegalArgumentException("eps must be > 0 and weight decay >= 0, got " + eps + ", " + weightDecay);
    }
    noDecayPattern = noDecayPattern == null ? "" : noDecayPattern;
    try {
      Pattern.compile(noDecayPattern);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("noDecayPattern is not a regex: " + e.getMessage());
    }
  }

  /** torch defaults except weight decay 0.01 (as Hugging Face Trainer) and the no-decay pattern. */
  public static AdamWConfig of(double lr) {
    return new AdamWConfig(lr, 0.9, 0.999, 1e-8, 0.01, DEFAULT_NO_DECAY);
  }

  public AdamWConfig withWeightDecay(double decay) {
    return new AdamWConfig(lr, beta1, beta2, eps, decay, noDecayPattern);
  }

  public boolean decays(String tensorName) {
    return weightDecay > 0 && (noDecayPattern.isEmpty() || !Pattern.matches(noDecayPattern, tensorName));
  }
}
