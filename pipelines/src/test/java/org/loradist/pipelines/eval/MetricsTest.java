package org.loradist.pipelines.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metrics on hand-made rankings and labels whose values are worked out by hand in the comments. */
class MetricsTest {
  static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Test
  void rankingMetricsByHand() {
    Map<String, List<String>> rankings = Map.of(
        // q1: the one relevant at rank 3 → R@1 0, R@5 1, R@10 1, RR 1/3, nDCG 1/log2(4) = 0.5
        "q1", List.of("a", "b", "c", "d"),
        // q2: relevant x (grade 2) at 1, y (grade 1) at 6, z (grade 1) not ranked; repeated "x" counts once
        "q2", List.of("x", "x", "p", "q", "r", "s", "y"),
        // q4 is ranked but not judged: ignored, counted
        "q4", List.of("a"));
    Map<String, Map<String, Double>> judgements = Map.of(
        "q1", Map.of("c", 1.0, "zz", 0.0),
        "q2", Map.of("x", 2.0, "y", 1.0, "z", 1.0),
        "q3", Map.of("a", 1.0)); // judged, not answered: zeros
    RankingMetrics m = RankingMetrics.of(rankings, judgements);
    assertThat(m.judgedQueries()).isEqualTo(3);
    assertThat(m.unansweredQueries()).isEqualTo(1);
    assertThat(m.unjudgedQueries()).isEqualTo(1);
    // q2 distinct ranking: x p q r s y → x at 1, y at 6
    assertThat(m.values().get("recall@1")).isCloseTo((0 + 1.0 / 3 + 0) / 3, within(1e-12));
    assertThat(m.values().get("recall@5")).isCloseTo((1 + 1.0 / 3 + 0) / 3, within(1e-12));
    assertThat(m.values().get("recall@10")).isCloseTo((1 + 2.0 / 3 + 0) / 3, within(1e-12));
    assertThat(m.values().get("mrr@10")).isCloseTo((1.0 / 3 + 1 + 0) / 3, within(1e-12));
    double dcg2 = 3 / log2(2) + 1 / log2(7);
    double idcg2 = 3 / log2(2) + 1 / log2(3) + 1 / log2(4);
    assertThat(m.values().get("ndcg@10")).isCloseTo((0.5 + dcg2 / idcg2 + 0) / 3, within(1e-12));
  }

  @Test
  void relevantBeyondTenCountsForNothingAtTen() {
    List<String> ranked = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ranked.add("d" + i);
    }
    RankingMetrics m = RankingMetrics.of(Map.of("q", ranked), Map.of("q", Map.of("d10", 1.0)));
    assertThat(m.values()).containsEntry("recall@10", 0.0).containsEntry("mrr@10", 0.0).containsEntry("ndcg@10", 0.0);
  }

  @Test
  void classificationByHand() {
    // per class (P, R, F1): a (1, 2/3, 0.8), b (1/2, 1/2, 1/2), c (1/2, 1, 2/3)
    List<String> gold = List.of("a", "a", "a", "b", "b", "c");
    List<String> pred = List.of("a", "a", "b", "b", "c", "c");
    ClassificationMetrics m = ClassificationMetrics.of(gold, pred);
    assertThat(m.accuracy()).isCloseTo(4.0 / 6, within(1e-12));
    assertThat(m.macroF1()).isCloseTo((0.8 + 0.5 + 2.0 / 3) / 3, within(1e-12));
    assertThat(m.labels()).containsExactly("a", "b", "c");
    assertThat(m.confusion()).isDeepEqualTo(new long[][] {{2, 1, 0}, {0, 1, 1}, {0, 0, 1}});
    // a label only predicted (never gold) is a class with F1 0, as scikit-learn counts it
    ClassificationMetrics m2 = ClassificationMetrics.of(List.of("a", "a"), List.of("a", "z"));
    assertThat(m2.macroF1()).isCloseTo((2.0 / 3 + 0) / 2, within(1e-12));
  }
}
