package org.loradist.pipelines.chunk;

/**
 * How good a place the gap between two consecutive tokens is for a cut: a paragraph break (a blank line) beats a
 * sentence end, which beats a line break, which beats a plain word boundary; a gap inside a word (no whitespace,
 * e.g. between word pieces or before punctuation) is only a token boundary. Next to a CJK ideograph or CJK
 * punctuation (text written without spaces) the gap counts as a word boundary.
 */
final class Boundaries {
  static final byte TOKEN = 0;
  static final byte WORD = 1;
  static final byte LINE = 2;
  static final byte SENTENCE = 3;
  static final byte PARAGRAPH = 4;

  private Boundaries() {}

  /** levels[k] rates the gap between token k and token k+1 (length n-1). */
  static byte[] classify(String text, int[] starts, int[] ends) {
    int n = starts.length;
    byte[] levels = new byte[Math.max(0, n - 1)];
    for (int k = 0; k + 1 < n; k++) {
      levels[k] = classifyGap(text, ends[k], starts[k + 1]);
    }
    return levels;
  }

  static byte classifyGap(String text, int g0, int g1) {
    if (g1 <= g0) {
      if (g1 < g0 || g0 == 0 || g1 >= text.length()) {
        return TOKEN;
      }
      int before = text.codePointBefore(g0);
      int after = text.codePointAt(g1);
      if (isCjk(before) || isCjk(after)) {
        return isCjkSentenceEnd(before) ? SENTENCE : WORD;
      }
      return TOKEN;
    }
    int newlines = 0;
    boolean space = false;
    for (int i = g0; i < g1; i++) {
      char c = text.charAt(i);
      if (c == '\n' || (c == '\r' && (i + 1 >= g1 || text.charAt(i + 1) != '\n'))) {
        newlines++;
        space = true;
      } else if (isSpace(c)) {
        space = true;
      }
    }
    if (newlines >= 2) {
      return PARAGRAPH;
    }
    if (!space) {
      return TOKEN; // only characters the tokenizer ignores (format/control) between two pieces of one word
    }
    if (endsSentence(text, g0, g1)) {
      return SENTENCE;
    }
    return newlines == 1 ? LINE : WORD;
  }

  /** Sentence end: . ! ? … (after any closing quotes/brackets) before the gap, and no lower-case letter after it. */
  private static boolean endsSentence(String text, int g0, int g1) {
    int p = g0;
    while (p > 0 && ")]}\"'”’»".indexOf(text.charAt(p - 1)) >= 0 && p > g0 - 3) {
      p--;
    }
    if (p == 0) {
      return false;
    }
    int last = text.codePointBefore(p);
    if (isCjkSentenceEnd(last)) {
      return true;
    }
    if (last != '.' && last != '!' && last != '?' && last != '…') {
      return false;
    }
    return g1 >= text.length() || !Character.isLowerCase(text.codePointAt(g1));
  }

  /** The tokenizer's whitespace (Rust's char::is_whitespace without the controls that BERT removes). */
  static boolean isSpace(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || Character.isSpaceChar(c);
  }

  /**
   * A character that is a word on its own for the tokenizer although no space separates it: a CJK ideograph (BERT
   * splits those one by one) or CJK punctuation. Kana and Hangul runs are words like any other.
   */
  static boolean isCjk(int cp) {
    if (BertWordPieceSpans.isChineseChar(cp)) {
      return true;
    }
    return ((cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF)) && isPunctuation(cp);
  }

  private static boolean isPunctuation(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
        || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
        || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
        || type == Character.OTHER_PUNCTUATION;
  }

  private static boolean isCjkSentenceEnd(int cp) {
    return cp == '。' || cp == '！' || cp == '？' || cp == '｡';
  }
}
