package org.loradist.pipelines.dedup;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * b x r MinHash functions h_i(x) = mix64(a_i * x + c_i) (a_i odd, drawn from a seeded SplittableRandom, so the
 * same seed gives the same signatures on every executor), and the band keys of a signature.
 */
public final class MinHasher implements Serializable {
  private static final long serialVersionUID = 1L;
  private final int bands;
  private final int rows;
  private final long[] multipliers;
  private final long[] increments;

  public MinHasher(int bands, int rows, long seed) {
    this.bands = bands;
    this.rows = rows;
    SplittableRandom random = new SplittableRandom(seed);
    multipliers = new long[bands * rows];
    increments = new long[bands * rows];
    for (int i = 0; i < multipliers.length; i++) {
      multipliers[i] = random.nextLong() | 1L;
      increments[i] = random.nextLong();
    }
  }

  /** The b*r minima over the shingle hashes; an empty set gives all Long.MAX_VALUE (never banded, see caller). */
  public long[] signature(long[] shingleHashes) {
    long[] minima = new long[multipliers.length];
    java.util.Arrays.fill(minima, Long.MAX_VALUE);
    for (long x : shingleHashes) {
      for (int i = 0; i < minima.length; i++) {
        long h = Shingler.mix64(multipliers[i] * x + increments[i]);
        if (h < minima[i]) {
          minima[i] = h;
        }
      }
    }
    return minima;
  }

  /** The band keys of a shingle set's signature; none for an empty set (it would collide with every other one). */
  public long[] bandKeysOf(long[] shingleHashes) {
    return shingleHashes.length == 0 ? new long[0] : bandKeys(signature(shingleHashes));
  }

  /**
   * One 64-bit key per band, hashing the band's index and its r minima: two documents share band j's key iff (up to
   * 2^-64) all r minima of band j agree, which happens with probability s^r for Jaccard s; keys of different bands
   * differ, so one long names a bucket (a single sort key: Spark radix-sorts it).
   */
  public long[] bandKeys(long[] signature) {
    long[] keys = new long[bands];
    for (int b = 0; b < bands; b++) {
      long h = Shingler.mix64(0x632be59bd9b4e019L + b);
      for (int r = 0; r < rows; r++) {
        h = Shingler.mix64(h * 31 + signature[b * rows + r]);
      }
      keys[b] = h;
    }
    return keys;
  }
}
