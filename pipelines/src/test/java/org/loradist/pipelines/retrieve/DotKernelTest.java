package org.loradist.pipelines.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.loradist.weights.HalfFloats;

class DotKernelTest {
  /** The tests run with --add-modules jdk.incubator.vector (pipelines/pom.xml), so both kernels are checked. */
  private static final List<DotKernel> KERNELS = List.of(ScalarDotKernel.INSTANCE, DotKernels.named("panama"));

  @Test
  void bestKernelIsTheVectorApiOneWhenTheModuleIsPresent() {
    assertThat(DotKernels.vectorApiPresent()).isTrue();
    assertThat(DotKernels.best().name()).startsWith("panama-");
  }

  @Test
  void everyKernelAgreesWithADoublePrecisionDotProduct() {
    Random random = new Random(7);
    // 384 is the model's width; 37 and 5 leave tails shorter than one SIMD register.
    for (int dim : new int[] {384, 37, 5}) {
      float[] q = gaussian(random, dim);
      float[] block = gaussian(random, 3 * dim);
      short[] halves = new short[block.length];
      byte[] bytes = new byte[block.length];
      for (int i = 0; i < block.length; i++) {
        halves[i] = HalfFloats.floatToF16(block[i]);
        bytes[i] = (byte) (random.nextInt(255) - 127);
      }
      for (DotKernel kernel : KERNELS) {
        for (int v = 0; v < 3; v++) {
          int off = v * dim;
          double exact = 0;
          double exactHalf = 0;
          double exactBytes = 0;
          for (int j = 0; j < dim; j++) {
            exact += (double) q[j] * block[off + j];
            exactHalf += (double) q[j] * HalfFloats.f16ToFloat(halves[off + j]);
            exactBytes += (double) q[j] * bytes[off + j];
          }
          assertThat((double) kernel.dot(q, block, off)).as(kernel.name() + " fp32 dim " + dim)
              .isCloseTo(exact, within(1e-3));
          assertThat((double) kernel.dotHalf(q, halves, off)).as(kernel.name() + " fp16 dim " + dim)
              .isCloseTo(exactHalf, within(1e-3));
          assertThat((double) kernel.dotBytes(q, bytes, off)).as(kernel.name() + " int8 dim " + dim)
              .isCloseTo(exactBytes, within(0.1));
        }
      }
    }
  }

  @Test
  void halfDecodingIsExactForEveryFiniteHalf() {
    for (int h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) == 0x7c00) {
        continue; // inf and NaN: never in an L2-normalised embedding
      }
      float expected = HalfFloats.f16ToFloat((short) h);
      assertThat(Float.floatToIntBits(ScalarDotKernel.halfToFloat((short) h)))
          .as("half 0x%04x", h).isEqualTo(Float.floatToIntBits(expected));
    }
  }

  @Test
  void unknownOrUnavailableKernelNamesAreRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DotKernels.named("blas"))
        .hasMessageContaining("unknown kernel 'blas'");
  }

  static float[] gaussian(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }
}
