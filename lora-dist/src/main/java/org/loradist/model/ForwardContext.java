package org.loradist.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;

/**
 * How one forward pass runs: inference (no dropout) or training (dropout with the config's probabilities).
 *
 * <p>Dropout masks come from PyTorch's generator, which is per process: {@link #training(long)} seeds it, so a
 * forward pass that starts from the same seed on the same inputs draws the same masks. Two training forwards
 * running at once in one JVM would share the generator; the trainer runs one per JVM at a time.
 */
public final class ForwardContext {
  private static final ForwardContext INFERENCE = new ForwardContext(false);

  private final boolean training;

  private ForwardContext(boolean training) {
    this.training = training;
  }

  public static ForwardContext inference() {
    return INFERENCE;
  }

  /** A training pass: dropout on, with PyTorch's generator seeded from {@code seed} now. */
  public static ForwardContext training(long seed) {
    Engine.getEngine("PyTorch").setRandomSeed((int) (seed ^ (seed >>> 32)));
    return new ForwardContext(true);
  }

  public boolean training() {
    return training;
  }

  /** Inverted dropout with probability {@code p} while training; {@code x} itself otherwise. */
  public NDArray dropout(NDArray x, float p) {
    if (!training || p == 0f) {
      return x;
    }
    return x.getNDArrayInternal().dropout(x, p, true).singletonOrThrow();
  }
}
