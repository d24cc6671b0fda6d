package org.loradist.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Groups texts into batches for dynamic padding: longest first, so each batch's texts have similar lengths and
 * little padding; a batch grows while (its size) x (its longest text) stays within a token budget.
 * Deterministic: equal lengths keep input order.
 */
public final class BatchPlan {
  private BatchPlan() {}

  /** Index lists into {@code lengths}; every index appears exactly once. */
  public static List<int[]> plan(int[] lengths, int batchTokens, int maxBatchSize) {
    if (batchTokens < 1 || maxBatchSize < 1) {
      throw new IllegalArgumentException("batchTokens and maxBatchSize must be positive, got " + batchTokens + ", "
          + maxBatchSize);
    }
    Integer[] order = new Integer[lengths.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
    List<int[]> batches = new ArrayList<>();
    int start = 0;
    while (start < order.length) {
      int width = lengths[order[start]]; // the longest in the batch, since sorted descending
      int size = Math.max(1, Math.min(maxBatchSize, batchTokens / Math.max(1, width)));
      int end = Math.min(order.length, start + size);
      int[] batch = new int[end - start];
      for (int i = start; i < end; i++) {
        batch[i - start] = order[i];
      }
      batches.add(batch);
      start = end;
    }
    return batches;
  }
}
