package org.loradist.pipelines.retrieve;

/** Search results as parallel arrays, best first: vector ordinals and their inner products with the query. */
public record ScoredOrdinals(int[] ordinals, float[] scores) {
  public int size() {
    return ordinals.length;
  }
}
