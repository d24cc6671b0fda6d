package org.loradist.pipelines.chunk;

import java.util.Collection;

/**
 * A set of vocabulary strings that answers "is chars[from, to) in the set" without building a String: word piece
 * matching tries many candidate substrings per word, and allocating each one showed up as the chunker's cost.
 * Open addressing, linear probing, read-only after construction (safe to share between threads).
 */
final class VocabTable {
  private final String[] slots;
  private final int mask;

  VocabTable(Collection<String> entries) {
    int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 3)) << 1;
    slots = new String[capacity];
    mask = capacity - 1;
    for (String e : entries) {
      int slot = hash(e, 0, e.length()) & mask;
      while (slots[slot] != null && !slots[slot].equals(e)) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = e;
    }
  }

  boolean contains(CharSequence chars, int from, int to) {
    int len = to - from;
    int slot = hash(chars, from, to) & mask;
    for (String s = slots[slot]; s != null; s = slots[slot = (slot + 1) & mask]) {
      if (s.length() == len && regionEquals(s, chars, from, len)) {
        return true;
      }
    }
    return false;
  }

  private static boolean regionEquals(String s, CharSequence chars, int from, int len) {
    for (int i = 0; i < len; i++) {
      if (s.charAt(i) != chars.charAt(from + i)) {
        return false;
      }
    }
    return true;
  }

  private static int hash(CharSequence chars, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + chars.charAt(i);
    }
    return h ^ (h >>> 16);
  }
}
