package org.loradist.pipelines.retrieve;

/** Brute force: every vector scored, the k best kept. The reference that {@link HnswIndex}'s recall is measured on. */
public final class ExactIndex implements VectorIndex {
  private final VectorStore store;

  public ExactIndex(VectorStore store) {
    this.store = store;
  }

  @Override
  public ScoredOrdinals search(float[] query, int k) {
    TopK top = new TopK(k);
    store.scanAll(query, top);
    return top.sorted();
  }

  @Override
  public VectorStore store() {
    return store;
  }

  @Override
  public String kind() {
    return "exact";
  }
}
