package org.loradist.pipelines.retrieve;

/**
 * The k best (ordinal, score) pairs seen so far: a min-heap on score in two primitive arrays, so a scan over a
 * million vectors allocates nothing. Ties keep the earlier ordinal, which makes exact results deterministic.
 */
public final class TopK {
  private final int k;
  private final int[] ordinals;
  private final float[] scores;
  private int count;

  public TopK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    this.k = k;
    this.ordinals = new int[k];
    this.scores = new float[k];
  }

  public void offer(int ordinal, float score) {
    if (count < k) {
      int i = count++;
      ordinals[i] = ordinal;
      scores[i] = score;
      siftUp(i);
    } else if (score > scores[0]) {
      ordinals[0] = ordinal;
      scores[0] = score;
      siftDown(0);
    }
  }

  /** The pairs, best first (and the lower ordinal first among equal scores). */
  public ScoredOrdinals sorted() {
    int[] o = new int[count];
    float[] s = new float[count];
    // copy, then heap-pop from the copy in reverse: smallest goes last
    int[] ho = ordinals.clone();
    float[] hs = scores.clone();
    int n = count;
    for (int out = count - 1; out >= 0; out--) {
      o[out] = ho[0];
      s[out] = hs[0];
      n--;
      ho[0] = ho[n];
      hs[0] = hs[n];
      siftDown(ho, hs, n, 0);
    }
    return new ScoredOrdinals(o, s);
  }

  /** "Less" in the heap: a lower score, or an equal score with a higher ordinal (so it leaves first). */
  private static boolean worse(float sa, int oa, float sb, int ob) {
    return sa < sb || (sa == sb && oa > ob);
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!worse(scores[i], ordinals[i], scores[parent], ordinals[parent])) {
        return;
      }
      swap(ordinals, scores, i, parent);
      i = parent;
    }
  }

  private void siftDown(int i) {
    siftDown(ordinals, scores, count, i);
  }

  private static void siftDown(int[] o, float[] s, int n, int i) {
    while (true) {
      int l = 2 * i + 1;
      if (l >= n) {
        return;
      }
      int r = l + 1;
      int c = r < n && worse(s[r], o[r], s[l], o[l]) ? r : l;
      if (!worse(s[c], o[c], s[i], o[i])) {
        return;
      }
      swap(o, s, i, c);
      i = c;
    }
  }

  private static void swap(int[] o, float[] s, int a, int b) {
    int to = o[a];
    o[a] = o[b];
    o[b] = to;
    float ts = s[a];
    s[a] = s[b];
    s[b] = ts;
  }
}
