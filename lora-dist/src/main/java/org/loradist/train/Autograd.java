package org.loradist.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Records autograd on the calling thread only, for replicas running on DJL's PyTorch engine.
 *
 * <p>Why not DJL's {@code GradientCollector}: {@code PtGradientCollector} keeps a JVM-wide flag and throws
 * "Only one can be collecting at a time" when a second thread opens one, so two workers in one JVM (local mode, or a
 * 2-core executor) cannot both train. PyTorch's grad mode itself is thread-local, so this scope switches it on for
 * the current thread and back-propagates with the same JNI call the collector uses.
 *
 * <pre>{@code
 * try (Autograd ag = Autograd.record()) {
 *   w.setRequiresGradient(true);
 *   NDArray loss = ...;
 *   ag.backward(loss);
 *   float[] g = w.getGradient().toFloatArray();
 * }
 * }</pre>
 */
public final class Autograd implements AutoCloseable {
  private final boolean previous;

  private Autograd() {
    previous = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
  }

  public static Autograd record() {
    return new Autograd();
  }

  /** Back-propagates a scalar (or any shape, seeded with ones) into the leaves that require gradients. */
  public void backward(NDArray loss) {
    try (NDArray seed = loss.onesLike()) {
      JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
    }
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
