package org.loradist.train.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EvaluationTest {
  @Test
  void accuracyAndMacroF1AsScikitLearnComputesThem() {
    // per class (precision, recall, F1): 0 (1, 2/3, 0.8), 1 (1/2, 1/2, 1/2), 2 (1/2, 1, 2/3); class 3 absent
    int[] gold = {0, 0, 0, 1, 1, 2};
    int[] pred = {0, 0, 1, 1, 2, 2};
    Evaluation.ClassificationMetrics m = Evaluation.classification(gold, pred, 4);
    assertThat(m.accuracy()).isCloseTo(4.0 / 6, within(1e-12));
    assertThat(m.macroF1()).isCloseTo((0.8 + 0.5 + 2.0 / 3) / 3, within(1e-12));
  }

  @Test
  void reciprocalRankCountsOnlyTheTopTen() {
    float[][] passages = new float[12][];
    for (int i = 0; i < 12; i++) {
      passages[i] = new float[] {(float) Math.cos(i * 0.1), (float) Math.sin(i * 0.1)};
    }
    float[][] queries = {passages[0], passages[0], passages[0]};
    // answers at ranks 1, 3 and 12 (passage i is the (i+1)-th closest to passage 0)
    Evaluation.RetrievalMetrics m = Evaluation.retrieval(queries, passages, new int[] {0, 2, 11});
    assertThat(m.recallAt1()).isCloseTo(1.0 / 3, within(1e-12));
    assertThat(m.recallAt10()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(m.mrrAt10()).isCloseTo((1 + 1.0 / 3) / 3, within(1e-12));
  }
}
