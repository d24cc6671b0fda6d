package org.loradist.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op thread pool is per process: set it once from what the JVM is allowed to use (a Spark task's
 * spark.task.cpus). Inter-op threads can only be set before PyTorch first runs, through the system property
 * {@code ai.djl.pytorch.num_interop_threads}; the encoder issues one op at a time, so 1 is right for it.
 */
public final class TorchThreads {
  private TorchThreads() {}

  public static synchronized void setIntraOpThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("intra-op threads must be at least 1, got " + threads);
    }
    Engine.getEngine("PyTorch"); // loads the native library first
    MklCpuDispatch.ensureApplied(); // before this JVM's first matmul
    if (JniUtils.getNumThreads() != threads) {
      JniUtils.setNumThreads(threads);
    }
  }

  public static int intraOpThreads() {
    Engine.getEngine("PyTorch");
    return JniUtils.getNumThreads();
  }
}
