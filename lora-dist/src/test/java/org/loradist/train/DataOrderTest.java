package org.loradist.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataOrderTest {
  @Test
  void everyEpochIsAPermutationAndEpochsDiffer() {
    int[] e0 = DataOrder.permutation(50, 7, 0);
    int[] e1 = DataOrder.permutation(50, 7, 1);
    assertThat(Arrays.stream(e0).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 50).toArray());
    assertThat(e1).isNotEqualTo(e0);
    assertThat(DataOrder.permutation(50, 7, 0)).isEqualTo(e0);
    assertThat(DataOrder.permutation(50, 8, 0)).isNotEqualTo(e0);
  }

  @Test
  void streamWrapsAcrossEpochsWithoutLosingExamples() {
    DataOrder order = new DataOrder(7, 3);
    Set<Integer> firstEpoch = new HashSet<>();
    for (long p = 0; p < 7; p++) {
      firstEpoch.add(order.exampleAt(p));
    }
    assertThat(firstEpoch).hasSize(7);
    assertThat(order.exampleAt(7)).isEqualTo(DataOrder.permutation(7, 3, 1)[0]);
    assertThat(order.exampleAt(3)).isEqualTo(DataOrder.permutation(7, 3, 0)[3]);
  }

  @Test
  void shardsAreContiguousAndCoverTheBatch() {
    int size = 11;
    int workers = 3;
    int covered = 0;
    for (int r = 0; r < workers; r++) {
      assertThat(DataOrder.shardStart(size, workers, r)).isEqualTo(covered);
      int n = DataOrder.shardEnd(size, workers, r) - DataOrder.shardStart(size, workers, r);
      assertThat(n).isBetween(3, 4);
      covered += n;
    }
    assertThat(covered).isEqualTo(size);
  }

  @Test
  void floatCodecIsExact() {
    float[] a = {0f, -0f, 1.5f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, -3.25e-7f};
    float[] back = FloatCodec.decode(FloatCodec.encode(a));
    for (int i = 0; i < a.length; i++) {
      assertThat(Float.floatToRawIntBits(back[i])).isEqualTo(Float.floatToRawIntBits(a[i]));
    }
    float[][] sums = {{1f, 2f}, {3f}};
    double[] lossTokens = FloatCodec.addContribution(
        FloatCodec.encodeContribution(0.75, 12, new float[][] {{0.5f, -2f}, {4f}}), sums);
    assertThat(lossTokens).containsExactly(0.75, 12.0);
    assertThat(sums[0]).containsExactly(1.5f, 0f);
    assertThat(sums[1]).containsExactly(7f);
  }
}
