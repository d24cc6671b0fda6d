package org.loradist.pipelines.dedup.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Quality of near-duplicate detection on a generated corpus. "Truth" = pairs whose exact shingle-Jaccard is
 * >= threshold (all pairs checked); "labels" = pairs generated from the same original (original-copy and
 * copy-copy).
 *
 * @param docs                     documents in the corpus
 * @param truthPairs               pairs with true Jaccard >= threshold
 * @param labelPairs               pairs of the same generated family
 * @param labelPairsAboveThreshold label pairs whose true Jaccard is >= threshold
 * @param candidatePairs           distinct LSH candidate pairs (verification work)
 * @param verifiedPairs            candidates whose Jaccard is >= threshold
 * @param pairPrecision            verified pairs that are truth pairs / verified pairs
 * @param pairRecall               truth pairs found as verified pairs / truth pairs
 * @param groupPrecision           same-group pairs also in one component of the truth graph / same-group pairs
 * @param groupRecall              same-component truth-graph pairs put in one group / those pairs
 * @param labelPrecision           same-group pairs that are label pairs / same-group pairs
 * @param labelRecall              label pairs put in one group / label pairs
 * @param removed                  documents removed (exact + near)
 * @param removedBelowThreshold    removed documents whose Jaccard to their representative is below the threshold
 *                                 (kept in a group by a chain of verified pairs)
 * @param dedupSeconds             wall time of Deduplicator.run plus counting its result
 */
public record QualityReport(
    int docs, long truthPairs, long labelPairs, long labelPairsAboveThreshold, long candidatePairs,
    long verifiedPairs, double pairPrecision, double pairRecall, double groupPrecision, double groupRecall,
    double labelPrecision, double labelRecall, long removed, long removedBelowThreshold, double dedupSeconds) {

  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("docs", docs);
    map.put("truth_pairs", truthPairs);
    map.put("label_pairs", labelPairs);
    map.put("label_pairs_above_threshold", labelPairsAboveThreshold);
    map.put("candidate_pairs", candidatePairs);
    map.put("verified_pairs", verifiedPairs);
    map.put("pair_precision", pairPrecision);
    map.put("pair_recall", pairRecall);
    map.put("group_precision", groupPrecision);
    map.put("group_recall", groupRecall);
    map.put("label_precision", labelPrecision);
    map.put("label_recall", labelRecall);
    map.put("removed", removed);
    map.put("removed_below_threshold", removedBelowThreshold);
    map.put("dedup_seconds", dedupSeconds);
    return map;
  }
}
