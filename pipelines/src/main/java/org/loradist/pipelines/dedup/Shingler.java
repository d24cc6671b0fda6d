package org.loradist.pipelines.dedup;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Shingler() {}

  public static List<String> words(String text) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    String lower = text.toLowerCase(Locale.ROOT);
    List<String> words = new ArrayList<>();
    scanWords(lower, (start, end) -> words.add(lower.substring(start, end)));
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
    if (text == null || text.isEmpty()) {
      return new long[0];
    }
    String lower = text.toLowerCase(Locale.ROOT);
    LongList hashes = new LongList();
    scanWords(lower, (start, end) -> hashes.add(hashChars(lower, start, end, seed)));
    if (hashes.size == 0) {
      return new long[0];
    }
    long[] wordHashes = hashes.values;
    int count = hashes.size;
    int n = Math.max(1, count - k + 1);
    long[] shingles = new long[n];
    for (int i = 0; i < n; i++) {
      long h = seed ^ 0x9e3779b97f4a7c15L;
      int end = Math.min(count, i + k);
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
    return hashChars(s, 0, s.length(), seed);
  }

  private static long hashChars(String s, int start, int end, long seed) {
    long h = FNV_OFFSET;
    for (int i = start; i < end; i++) {
      h ^= s.charAt(i);
      h *= FNV_PRIME;
    }
    return mix64(h ^ seed);
  }

  /** Receives each word as [start, end) of the scanned string. */
  private interface WordSink {
    void word(int start, int end);
  }

  /**
   * The words of {@code s}: maximal runs of letters and digits (Unicode categories L and N, the same split as the
   * regex {@code [^\p{L}\p{N}]+}), scanned by hand because the regex split was the costliest part of shingling.
   */
  private static void scanWords(String s, WordSink sink) {
    int start = -1;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (isWordChar(cp)) {
        if (start < 0) {
          start = i;
        }
      } else if (start >= 0) {
        sink.word(start, i);
        start = -1;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      sink.word(start, s.length());
    }
  }

  private static boolean isWordChar(int cp) {
    if (cp < 0x80) {
      return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    }
    if (Character.isLetter(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }

  /** A growable long[] (no boxing: one entry per word of every document). */
  private static final class LongList {
    long[] values = new long[64];
    int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }
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
