package org.loradist.pipelines.ingest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The {@code sample} column of rejects: the start of the bad record, printable and one line, so that a person
 * can see what went wrong without opening the file. Control characters become escapes ({@code \n}, {@code \u0000});
 * bytes that are not UTF-8 become {@code \xNN}.
 */
public final class Samples {
  private Samples() {}

  /** Characters of the bad record kept in a sample (before escaping). */
  public static final int SAMPLE_CHARS = 200;

  public static String ofText(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), SAMPLE_CHARS) + 16);
    int limit = Math.min(text.length(), SAMPLE_CHARS);
    if (limit < text.length() && Character.isHighSurrogate(text.charAt(limit - 1))) {
      limit--;
    }
    for (int i = 0; i < limit; i++) {
      escape(text.charAt(i), out);
    }
    return out.toString();
  }

  /** The first {@link #SAMPLE_CHARS} characters of {@code bytes[0, length)} read as UTF-8, bad bytes as {@code \xNN}. */
  public static String ofBytes(byte[] bytes, int length) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, Math.min(length, SAMPLE_CHARS * 4));
    CharBuffer chars = CharBuffer.allocate(64);
    StringBuilder out = new StringBuilder();
    int kept = 0;
    while (kept < SAMPLE_CHARS) {
      CoderResult result = decoder.decode(in, chars, true);
      chars.flip();
      while (chars.hasRemaining() && kept < SAMPLE_CHARS) {
        escape(chars.get(), out);
        kept++;
      }
      chars.clear();
      if (result.isError()) {
        for (int i = 0; i < result.length() && kept < SAMPLE_CHARS; i++, kept++) {
          out.append(String.format("\\x%02X", in.get() & 0xff));
        }
      } else if (result.isUnderflow()) {
        break;
      }
    }
    return out.toString();
  }

  private static void escape(char c, StringBuilder out) {
    switch (c) {
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      case '\\' -> out.append("\\\\");
      default -> {
        if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
          out.append(String.format("\\u%04X", (int) c));
        } else {
          out.append(c);
        }
      }
    }
  }
}
