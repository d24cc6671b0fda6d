package org.loradist.pipelines.retrieve;

/** Top-k by inner product over a {@link VectorStore}. Implementations are safe for concurrent searches. */
public interface VectorIndex {
  /** The k (or fewer, if the store is smaller) best ordinals for {@code query}, best first. */
  ScoredOrdinals search(float[] query, int k);

  VectorStore store();

  /** "exact" or "hnsw". */
  String kind();
}
