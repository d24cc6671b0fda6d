package org.loradist.train;

import java.util.SplittableRandom;

/**
 * The run's example stream: epoch after epoch of a seeded permutation of the example indices, identical on every
 * JVM. Position {@code p} of the stream is example {@code perm(p / n)[p % n]}; batches may straddle epochs, so no
 * example is dropped and the data cursor is one number (examples consumed).
 *
 * <p>Step {@code s} takes positions {@code [s*B, (s+1)*B)}; its micro-batch {@code m} the sub-range of size
 * {@code B/k}; worker {@code r} of {@code W} the contiguous slice {@link #shardStart}..{@link #shardEnd} of it.
 */
public final class DataOrder {
  private final int exampleCount;
  private final long seed;
  private long cachedEpoch = -1;
  private int[] cachedPermutation;

  public DataOrder(int exampleCount, long seed) {
    if (exampleCount <= 0) {
      throw new IllegalArgumentException("no examples to train on");
    }
    this.exampleCount = exampleCount;
    this.seed = seed;
  }

  /** Index (into the example list) of the example at a stream position. */
  public int exampleAt(long position) {
    long epoch = position / exampleCount;
    if (epoch != cachedEpoch) {
      cachedPermutation = permutation(exampleCount, seed, epoch);
      cachedEpoch = epoch;
    }
    return cachedPermutation[(int) (position % exampleCount)];
  }

  /** Fisher-Yates with SplittableRandom, whose output is specified for a seed, so every JVM gets the same order. */
  public static int[] permutation(int n, long seed, long epoch) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(mix(seed, epoch));
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }

  /** First index of worker {@code rank}'s slice of a batch of {@code size}: sizes differ by at most one. */
  public static int shardStart(int size, int workers, int rank) {
    return (int) ((long) size * rank / workers);
  }

  public static int shardEnd(int size, int workers, int rank) {
    return shardStart(size, workers, rank + 1);
  }

  /** SplitMix64 finaliser over two longs: a cheap, well-spread seed derivation. */
  public static long mix(long a, long b) {
    long z = a + 0x9E3779B97F4A7C15L * (b + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
