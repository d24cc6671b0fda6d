package org.loradist.pipelines.dedup.eval;

/**
 * One document of the generated near-duplicate benchmark.
 *
 * @param docId      unique id
 * @param text       the text
 * @param family     the doc_id of the original this was copied from (its own id for originals and unrelated docs)
 * @param changeRate fraction of the original's words edited (0 for originals and unrelated docs)
 */
public record GeneratedDoc(String docId, String text, String family, double changeRate) {
  public boolean isCopy() {
    return !family.equals(docId);
  }
}
