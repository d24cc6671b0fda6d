package org.loradist.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loradist.train.Autograd;

/** Constant factors on the autograd path keep their operand alive until the backward pass, even under GC. */
class ScalarsTest {
  @Test
  void gradientsThroughConstantFactorsSurviveGarbageCollection() {
    for (int trial = 0; trial < 60; trial++) {
      try (NDManager m = NDManager.newBaseManager(); Autograd ag = Autograd.record()) {
        NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(4));
        x.setRequiresGradient(true);
        NDArray y = Scalars.over(Scalars.times(x, 3), 0.5).sum();
        // free and reuse direct memory, as a busy JVM does between a forward and its backward
        System.gc();
        List<ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          junk.add(ByteBuffer.allocateDirect(4).putFloat(0, Float.NaN));
        }
        ag.backward(y);
        assertThat(x.getGradient().toFloatArray()).as("trial %d", trial).containsOnly(6f);
        assertThat(junk).hasSize(1000);
      }
    }
  }
}
