package org.loradist.pipelines.clean;

import java.text.Normalizer;

/**
 * Canonical form of a document's text, applied before anything else looks at it:
 *
 * <ol>
 *   <li>Unicode NFKC (ligatures, full-width forms, compatibility characters, NBSP become their plain forms);</li>
 *   <li>line endings: CRLF, CR, NEL, LS, VT become {@code \n}; PS and form feed become a paragraph break;</li>
 *   <li>control characters (Cc) other than {@code \n} and {@code \t} are removed, and so are format characters
 *       (Cf: zero-width space, soft hyphen, BOM, bidi marks) except ZWNJ/ZWJ, which change spelling in Persian and
 *       Indic scripts and join emoji; unpaired surrogates are removed (they cannot be written as UTF-8);</li>
 *   <li>within a line, runs of spaces/tabs after the first visible character become one space; the line's leading
 *       indentation is kept (it carries list nesting and verbatim blocks, e.g. in Debian descriptions) and trailing
 *       whitespace is removed; a whitespace-only line becomes empty;</li>
 *   <li>fenced code blocks (a line starting with {@code ```} or {@code ~~~} after at most three spaces, up to the
 *       closing fence) are kept verbatim apart from steps 1-3 and trailing whitespace;</li>
 *   <li>three or more line breaks become two, so paragraph boundaries (a blank line) survive as exactly
 *       {@code "\n\n"}; the text is trimmed.</li>
 * </ol>
 *
 * <p>Stateless and thread-safe. The result is idempotent: {@code normalize(normalize(x)).equals(normalize(x))}.
 */
public final class TextNormalizer {

  /** Chars below this are all NFKC-stable on their own and no combining mark is present: skip the normaliser. */
  private static final char NFKC_STABLE_BELOW = '\u00A0';

  public String normalize(String text) {
    if (text == null || text.isEmpty()) {
      return "";
    }
    // Fast path, one pass: text below U+00A0 (NFKC-stable) that is already laid out is returned as it is.
    if (isLaidOut(text, true)) {
      return text;
    }
    // Dropped chars go before NFKC, so that e.g. "e<ZWSP><combining acute>" composes to one char and the result
    // stays a fixed point of normalize().
    int flags = scan(text);
    String s = (flags & HAS_DROPPED) != 0 ? withoutDropped(text) : text;
    if ((flags & MAY_NEED_NFKC) != 0 && !Normalizer.isNormalized(s, Normalizer.Form.NFKC)) {
      s = Normalizer.normalize(s, Normalizer.Form.NFKC);
    }
    // Most documents are already laid out: then return them as they are, without copying.
    return isLaidOut(s, false) ? s : layout(s);
  }

  /**
   * Whether {@link #layout} would return {@code s} unchanged. Sound but conservative (fenced blocks with inner
   * runs of spaces answer false and take the full path): no leading or trailing whitespace, no whitespace-only or
   * space-ended lines, after a line's first visible char only single spaces, no break but LF, at most one blank
   * line in a row, no dropped chars; with {@code belowNfkcRange}, also no char from U+00A0 up.
   */
  static boolean isLaidOut(String s, boolean belowNfkcRange) {
    int n = s.length();
    if (n == 0) {
      return true;
    }
    if (isSpace(s.charAt(0)) || breakWeight(s.charAt(0)) > 0 || breakWeight(s.charAt(n - 1)) > 0) {
      return false;
    }
    int newlines = 0; // consecutive LFs just seen
    boolean visible = false; // a visible char seen on this line
    char prev = '\n';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c > ' ' && c < 0x7F) {
        visible = true;
        newlines = 0;
        prev = c;
        continue;
      }
      if (c == '\n') {
        if (isSpace(prev) || ++newlines > 2) {
          return false;
        }
        visible = false;
      } else if (c == ' ' || c == '\t') {
        if (visible && (c == '\t' || prev == ' ')) {
          return false;
        }
      } else if (c < 0x80 || (belowNfkcRange && c >= NFKC_STABLE_BELOW) || breakWeight(c) > 0 || isSpace(c)
          || isDropped(c)) {
        return false;
      } else {
        visible = true;
        newlines = 0;
      }
      prev = c;
    }
    return !isSpace(prev);
  }

  private static final int MAY_NEED_NFKC = 1;
  private static final int HAS_DROPPED = 2;

  private static int scan(String s) {
    int flags = 0;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= NFKC_STABLE_BELOW) {
        flags |= MAY_NEED_NFKC;
      }
      if (isDroppedAt(s, i)) {
        flags |= HAS_DROPPED;
      }
    }
    return flags;
  }

  private static String withoutDropped(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0, n = s.length(); i < n; i++) {
      if (!isDroppedAt(s, i)) {
        out.append(s.charAt(i));
      }
    }
    return out.toString();
  }

  /** Whether the char at i is removed: see isDropped; line breaks and tabs never are; paired surrogates stay. */
  private static boolean isDroppedAt(String s, int i) {
    char c = s.charAt(i);
    if (c >= 0x20 && c < 0x7F) {
      return false;
    }
    if (c == '\t' || breakWeight(c) > 0) {
      return false;
    }
    if (Character.isHighSurrogate(c)) {
      return !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)));
    }
    if (Character.isLowSurrogate(c)) {
      return !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
    }
    return isDropped(c);
  }

  /** Steps 2-6 in one pass over the (already NFKC) text, line by line. */
  static String layout(String s) {
    int n = s.length();
    StringBuilder out = new StringBuilder(n);
    int pendingBreaks = 0; // line breaks seen since the last non-empty line
    boolean inFence = false;
    int i = 0;
    while (i <= n) {
      int end = i;
      while (end < n && breakWeight(s.charAt(end)) == 0) {
        end++;
      }
      boolean fenceLine = isFenceLine(s, i, end);
      int mark = out.length();
      if (mark > 0) {
        out.append(pendingBreaks >= 2 ? "\n\n" : "\n");
      }
      int contentStart = out.length();
      if (inFence || fenceLine) {
        appendVerbatim(s, i, end, out, mark == 0);
      } else {
        appendCollapsed(s, i, end, out, mark == 0);
      }
      if (out.length() == contentStart) {
        out.setLength(mark); // empty line: only counts as a break
      } else {
        pendingBreaks = 0;
      }
      if (fenceLine) {
        inFence = !inFence;
      }
      if (end >= n) {
        break;
      }
      // One break per separator; CR LF is one separator; PS and FF are a paragraph break.
      int weight = breakWeight(s.charAt(end));
      if (s.charAt(end) == '\r' && end + 1 < n && s.charAt(end + 1) == '\n') {
        end++;
      }
      pendingBreaks += weight;
      i = end + 1;
    }
    return out.toString();
  }

  /** 0 for a char that does not end a line, 1 for a line break, 2 for a paragraph break. */
  private static int breakWeight(char c) {
    if (c > '\r' && c != '\u0085' && c != '\u2028' && c != '\u2029') {
      return 0;
    }
    switch (c) {
      case '\n':
      case '\r':
      case '\u000B':
      case '\u0085':
      case '\u2028':
        return 1;
      case '\f':
      case '\u2029':
        return 2;
      default:
        return 0;
    }
  }

  private static boolean isFenceLine(String s, int from, int end) {
    int i = from;
    while (i < end && i - from < 3 && s.charAt(i) == ' ') {
      i++;
    }
    if (i + 3 > end) {
      return false;
    }
    char c = s.charAt(i);
    return (c == '`' || c == '~') && s.charAt(i + 1) == c && s.charAt(i + 2) == c;
  }

  /** Removes dropped chars and trailing whitespace; keeps all other spacing as it is. */
  private static void appendVerbatim(String s, int from, int end, StringBuilder out, boolean firstLine) {
    int lineStart = out.length();
    int keepTo = lineStart; // out length after the last visible char
    for (int k = from; k < end; k++) {
      char c = s.charAt(k);
      if (Character.isHighSurrogate(c) && k + 1 < end && Character.isLowSurrogate(s.charAt(k + 1))) {
        out.append(c).append(s.charAt(++k));
        keepTo = out.length();
        continue;
      }
      if (isSpace(c)) {
        if (!firstLine || out.length() > lineStart) {
          out.append(c == '\t' ? '\t' : ' ');
        }
        continue;
      }
      if (isDropped(c)) {
        continue;
      }
      out.append(c);
      keepTo = out.length();
    }
    out.setLength(keepTo);
  }

  /** Keeps leading indentation, collapses inner runs of whitespace to one space, drops trailing whitespace. */
  private static void appendCollapsed(String s, int from, int end, StringBuilder out, boolean firstLine) {
    int lineStart = out.length();
    boolean seenVisible = false;
    boolean pendingSpace = false;
    for (int k = from; k < end; k++) {
      char c = s.charAt(k);
      if (isSpace(c)) {
        if (seenVisible) {
          pendingSpace = true;
        } else if (!firstLine) {
          out.append(c == '\t' ? '\t' : ' ');
        }
        continue;
      }
      boolean pair = Character.isHighSurrogate(c) && k + 1 < end && Character.isLowSurrogate(s.charAt(k + 1));
      if (!pair && isDropped(c)) {
        continue;
      }
      if (pendingSpace) {
        out.append(' ');
        pendingSpace = false;
      }
      out.append(c);
      if (pair) {
        out.append(s.charAt(++k));
      }
      seenVisible = true;
    }
    if (!seenVisible) {
      out.setLength(lineStart);
    }
  }

  /** Horizontal whitespace: space, tab, and any Unicode space separator NFKC leaves alone (e.g. U+1680). */
  private static boolean isSpace(char c) {
    if (c < 0x80) {
      return c == ' ' || c == '\t';
    }
    return Character.getType(c) == Character.SPACE_SEPARATOR;
  }

  /** Control and format characters we remove; ZWNJ/ZWJ stay (see class comment). Lone surrogates too. */
  private static boolean isDropped(char c) {
    if (c < 0x80) {
      return c < 0x20 || c == 0x7F; // \n never reaches here; \t is handled as space
    }
    int type = Character.getType(c);
    if (type == Character.CONTROL || type == Character.SURROGATE) {
      return true;
    }
    return type == Character.FORMAT && c != '\u200C' && c != '\u200D';
  }
}
