package org.loradist.train;

import java.io.Serializable;

/**
 * Learning rate per optimizer step: linear warmup to the base rate, then linear or cosine decay to
 * {@code base * minRatio} at the end of the run (or constant).
 *
 * <p>Update {@code t} (0-based) uses {@code base * (t + 1) / warmup} while {@code t < warmup}, so the first update
 * is not wasted at rate 0; after warmup, with {@code p = (t - warmup) / (total - warmup)} in [0, 1),
 * linear gives {@code base * (1 - p)} and cosine {@code base * (1 + cos(pi p)) / 2}, each floored at
 * {@code base * minRatio}.
 */
public record LrSchedule(Decay decay, long warmupSteps, double minRatio) implements Serializable {
  public enum Decay { CONSTANT, LINEAR, COSINE }

  public LrSchedule {
    if (decay == null) {
      throw new IllegalArgumentException("decay must be one of CONSTANT, LINEAR, COSINE");
    }
    if (warmupSteps < 0 || !(minRatio >= 0 && minRatio <= 1)) {
      throw new IllegalArgumentException("warmup must be >= 0 and minRatio in [0, 1], got " + warmupSteps
          + ", " + minRatio);
    }
  }

  public static LrSchedule constant() {
    return new LrSchedule(Decay.CONSTANT, 0, 0);
  }

  public static LrSchedule linear(long warmupSteps) {
    return new LrSchedule(Decay.LINEAR, warmupSteps, 0);
  }

  public static LrSchedule cosine(long warmupSteps) {
    return new LrSchedule(Decay.COSINE, warmupSteps, 0);
  }

  public double lr(double base, long step, long totalSteps) {
    if (step < warmupSteps) {
      return base * (step + 1) / warmupSteps;
    }
    if (decay == Decay.CONSTANT || totalSteps <= warmupSteps) {
      return base;
    }
    double p = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
    double factor = decay == Decay.LINEAR ? 1 - p : 0.5 * (1 + Math.cos(Math.PI * p));
    return base * Math.max(minRatio, factor);
  }
}
