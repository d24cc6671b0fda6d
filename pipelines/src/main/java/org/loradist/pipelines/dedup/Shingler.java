package org.loradist.pipelines.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Word shingles of a text: lower-cased (Locale.ROOT) words split at every run of characters that are neither
 * letters nor digits, then each run of k consecutive words is one shingle. A text with fewer than k words (but at
 * least one) is one shingle of all its words; a text without words has no shingles and is never a near-duplicate.
 *
 * <p>Why punctuation is dropped: "foo, bar" and "foo bar" say the same thing, and a re-wrapped or re-punctuated
 * copy should stay a near-duplicate. Two texts equal after lower-casing and whitespace collapsing (the
 * {@code content_hash} normalisation) always have equal shingle sets.
 *
 * <p>Why k = 3 by default: with short documents (Debian descriptions: median 43 words) every changed word breaks k
 * shingles, so the shingle-Jaccard of a copy with a fraction p of its words changed is about
 * (1-p)^k / (2 - (1-p)^k): larger k makes the 0.8 threshold demand near-verbatim copies (k=5: p below ~2%),
 * while k=1 (bags of words) ignores word order and matches reordered boilerplate. k=3 keeps order, accepts
 * copies with roughly 3-4% of words changed at 0.8; bench's NearDupBench prints the figures per k.
 */
public final class Shingler {
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Shingler() {}

  public static List<String> words(String text) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    List<String> words = new ArrayList<>();
    for (String word : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
      if (!word.isEmpty()) {
        words.add(word);
      }
    }
    return words;
  }

  /** The shingles as strings (words joined by one space); used where the exact sets matter (ground truth). */
  public static Set<String> shingles(String text, int k) {
    List<String> words = words(text);
    Set<String> shingles = new LinkedHashSet<>();
    if (words.isEmpty()) {
      return shingles;
    }
    int n = Math.max(1, words.size() - k + 1);
    for (int i = 0; i < n; i++) {
      shingles.add(String.join(" ", words.subList(i, Math.min(words.size(), i + k))));
    }
    return shingles;
  }

  /**
   * The shingles as sorted, distinct 64-bit hashes (seeded): what MinHash and the Jaccard verification use. Two
   * different shingles share a hash with probability ~2^-64 per pair, so the Jaccard of these sets is the Jaccard
   * of the shingle sets for any practical corpus.
   */
  public static long[] hashedShingles(String text, int k, long seed) {
    List<String> words = words(text);
    if (words.isEmpty()) {
      return new long[0];
    }
    long[] wordHashes = new long[words.size()];
    for (int i = 0; i < wordHashes.length; i++) {
      wordHashes[i] = hashString(words.get(i), seed);
    }
    int n = Math.max(1, words.size() - k + 1);
    long[] shingles = new long[n];
    for (int i = 0; i < n; i++) {
      long h = seed ^ 0x9e3779b97f4a7c15L;
      int end = Math.min(wordHashes.length, i + k);
      for (int j = i; j < end; j++) {
        h = mix64(h * 31 + wordHashes[j]); // order-sensitive: "a b c" and "c b a" differ
      }
      shingles[i] = mix64(h + (end - i)); // length in: the one-shingle text "a b" is not the 3-shingle "a b"
    }
    Arrays.sort(shingles);
    return distinctSorted(shingles);
  }

  /** FNV-1a over UTF-16 units, then a seeded finaliser: stable across JVMs (unlike identity hashes). */
  static long hashString(String s, long seed) {
    long h = FNV_OFFSET;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= FNV_PRIME;
    }
    return mix64(h ^ seed);
  }

  /** MurmurHash3's 64-bit finaliser: a bijection with full avalanche. */
  static long mix64(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  private static long[] distinctSorted(long[] sorted) {
    int n = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        sorted[n++] = sorted[i];
      }
    }
    return n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
  }
}
