package org.loradist.pipelines.dedup;

/** Jaccard similarity of two sets given as sorted, distinct arrays. */
public final class Jaccard {
  private Jaccard() {}

  public static double of(long[] a, long[] b) {
    if (a.length == 0 && b.length == 0) {
      return 0.0; // no words: nothing to compare, never a near-duplicate
    }
    int i = 0;
    int j = 0;
    int common = 0;
    while (i < a.length && j < b.length) {
      int c = Long.compare(a[i], b[j]);
      if (c == 0) {
        common++;
        i++;
        j++;
      } else if (c < 0) {
        i++;
      } else {
        j++;
      }
    }
    return (double) common / (a.length + b.length - common);
  }

  public static double of(int[] a, int[] b) {
    if (a.length == 0 && b.length == 0) {
      return 0.0;
    }
    int i = 0;
    int j = 0;
    int common = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        common++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return (double) common / (a.length + b.length - common);
  }
}
