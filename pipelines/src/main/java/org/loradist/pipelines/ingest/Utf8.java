package org.loradist.pipelines.ingest;

import java.nio.charset.StandardCharsets;

/** UTF-8 decoding that tells whether the bytes were valid, so the caller can apply its invalid-UTF-8 policy. */
final class Utf8 {
  private Utf8() {}

  /** The text, and whether bad bytes were replaced by U+FFFD to get it. */
  record Decoded(String text, boolean replaced) {}

  /** Decodes, replacing bad bytes when {@code replace}; null when the bytes are bad and replacing is not allowed. */
  static Decoded decode(byte[] bytes, int offset, int length, boolean replace) {
    if (isValid(bytes, offset, length)) {
      return new Decoded(new String(bytes, offset, length, StandardCharsets.UTF_8), false);
    }
    return replace ? new Decoded(new String(bytes, offset, length, StandardCharsets.UTF_8), true) : null;
  }

  /**
   * Whether the bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
   * U+10FFFF). A plain loop with an ASCII fast path: much cheaper than a CharsetDecoder that builds a String.
   */
  static boolean isValid(byte[] b, int offset, int length) {
    int i = offset;
    int end = offset + length;
    while (i < end) {
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      c &= 0xff;
      if (c < 0xc2) {
        return false; // a stray continuation byte, or an overlong 2-byte form
      }
      if (c < 0xe0) {
        if (i + 1 >= end || !continuation(b[i + 1])) {
          return false;
        }
        i += 2;
      } else if (c < 0xf0) {
        if (i + 2 >= end || !continuation(b[i + 1]) || !continuation(b[i + 2])) {
          return false;
        }
        int c1 = b[i + 1] & 0xff;
        if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) {
          return false; // overlong, or a UTF-16 surrogate
        }
        i += 3;
      } else if (c < 0xf5) {
        if (i + 3 >= end || !continuation(b[i + 1]) || !continuation(b[i + 2]) || !continuation(b[i + 3])) {
          return false;
        }
        int c1 = b[i + 1] & 0xff;
        if ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90)) {
          return false; // overlong, or above U+10FFFF
        }
        i += 4;
      } else {
        return false;
      }
    }
    return true;
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }

  /**
   * Length of {@code bytes[0, length)} without a UTF-8 sequence cut off at its end, so that a prefix read up to
   * a byte limit does not end in a spurious bad byte.
   */
  static int completePrefix(byte[] bytes, int length) {
    for (int back = 1; back <= 3 && back <= length; back++) {
      int b = bytes[length - back] & 0xff;
      if ((b & 0xc0) == 0x80) {
        continue; // continuation byte: look further back for the lead byte
      }
      int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return needed > back ? length - back : length;
    }
    return length;
  }

  /** {@code text} cut to at most {@code maxChars} chars without splitting a surrogate pair. */
  static String truncate(String text, int maxChars) {
    if (text.length() <= maxChars) {
      return text;
    }
    int end = maxChars;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }
}
