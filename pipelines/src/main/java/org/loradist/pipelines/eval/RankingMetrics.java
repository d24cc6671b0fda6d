package org.loradist.pipelines.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Retrieval metrics of rankings against graded relevance judgements, averaged over the judged queries (those with at
 * least one grade above 0). A judged query missing from the rankings scores 0 everywhere and is counted as
 * unanswered; ranked queries without judgements are ignored and counted. Definitions (as in trec_eval / BEIR):
 * Recall@k = relevant found in the top k / relevant; MRR@10 = 1 / rank of the first relevant within 10, else 0;
 * nDCG@10 = DCG@10 / ideal DCG@10 with gain 2^grade - 1 and discount log2(rank + 1). A ranking repeating an id
 * (several chunks of one document) counts the id at its first rank only.
 */
public record RankingMetrics(Map<String, Double> values, int judgedQueries, int unansweredQueries,
    int unjudgedQueries) {
  public static final int[] RECALL_AT = {1, 5, 10};

  /**
   * @param rankings query id → ids in rank order (best first)
   * @param judgements query id → (id → grade); grades ≤ 0 are not relevant
   */
  public static RankingMetrics of(Map<String, List<String>> rankings, Map<String, Map<String, Double>> judgements) {
    double[] recall = new double[RECALL_AT.length];
    double mrr = 0;
    double ndcg = 0;
    int judged = 0;
    int unanswered = 0;
    for (Map.Entry<String, Map<String, Double>> j : judgements.entrySet()) {
      Map<String, Double> grades = new LinkedHashMap<>();
      j.getValue().forEach((id, g) -> {
        if (g != null && g > 0) {
          grades.put(id, g);
        }
      });
      if (grades.isEmpty()) {
        continue;
      }
      judged++;
      List<String> ranked = rankings.get(j.getKey());
      if (ranked == null) {
        unanswered++;
        continue;
      }
      List<String> distinct = distinct(ranked);
      for (int r = 0; r < RECALL_AT.length; r++) {
        int found = 0;
        for (int i = 0; i < Math.min(RECALL_AT[r], distinct.size()); i++) {
          found += grades.containsKey(distinct.get(i)) ? 1 : 0;
        }
        recall[r] += (double) found / grades.size();
      }
      for (int i = 0; i < Math.min(10, distinct.size()); i++) {
        if (grades.containsKey(distinct.get(i))) {
          mrr += 1.0 / (i + 1);
          break;
        }
      }
      double dcg = 0;
      for (int i = 0; i < Math.min(10, distinct.size()); i++) {
        Double g = grades.get(distinct.get(i));
        dcg += g == null ? 0 : gain(g) / log2(i + 2);
      }
      List<Double> ideal = new ArrayList<>(grades.values());
      ideal.sort((a, b) -> Double.compare(b, a));
      double idcg = 0;
      for (int i = 0; i < Math.min(10, ideal.size()); i++) {
        idcg += gain(ideal.get(i)) / log2(i + 2);
      }
      ndcg += dcg / idcg;
    }
    int unjudged = 0;
    for (String q : rankings.keySet()) {
      unjudged += judgements.containsKey(q) ? 0 : 1;
    }
    Map<String, Double> v = new LinkedHashMap<>();
    int n = Math.max(judged, 1);
    for (int r = 0; r < RECALL_AT.length; r++) {
      v.put("recall@" + RECALL_AT[r], recall[r] / n);
    }
    v.put("mrr@10", mrr / n);
    v.put("ndcg@10", ndcg / n);
    return new RankingMetrics(v, judged, unanswered, unjudged);
  }

  private static List<String> distinct(List<String> ranked) {
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (String id : ranked) {
      if (seen.add(id)) {
        out.add(id);
      }
    }
    return out;
  }

  private static double gain(double grade) {
    return Math.pow(2, grade) - 1;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
