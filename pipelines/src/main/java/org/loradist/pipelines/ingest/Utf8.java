package org.loradist.pipelines.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 decoding that tells whether the bytes were valid, so the caller can apply its invalid-UTF-8 policy. */
final class Utf8 {
  private Utf8() {}

  /** The text, and whether bad bytes were replaced by U+FFFD to get it. */
  record Decoded(String text, boolean replaced) {}

  /** Strictly decoded text, or null when the bytes are not valid UTF-8. */
  static String decodeStrict(byte[] bytes, int offset, int length) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, offset, length))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** Decodes, replacing bad bytes when {@code replace}; null when the bytes are bad and replacing is not allowed. */
  static Decoded decode(byte[] bytes, int offset, int length, boolean replace) {
    String strict = decodeStrict(bytes, offset, length);
    if (strict != null) {
      return new Decoded(strict, false);
    }
    return replace ? new Decoded(new String(bytes, offset, length, StandardCharsets.UTF_8), true) : null;
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
