package org.loradist.pipelines.clean;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Key for exact-duplicate detection: SHA-256 (lower-case hex) of the UTF-8 bytes of the text lower-cased per code
 * point ({@link Character#toLowerCase(int)}, locale-independent) with every run of whitespace made one space and
 * the ends trimmed. So two documents that differ only in case, line breaks or spacing get the same hash.
 *
 * <p>Streams the normalised text into the digest through a small buffer (no copy of the document). Thread-safe:
 * each thread uses its own digest.
 */
public final class ContentHash {
  private ContentHash() {}

  private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

  public static String of(String text) {
    State state = STATE.get();
    MessageDigest digest = state.digest;
    byte[] buf = state.buffer;
    int len = 0;
    boolean pendingSpace = false;
    boolean any = false;
    for (int i = 0, n = text.length(); i < n; ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (isSpace(cp)) {
        pendingSpace = any;
        continue;
      }
      if (len > buf.length - 5) {
        digest.update(buf, 0, len);
        len = 0;
      }
      if (pendingSpace) {
        buf[len++] = ' ';
        pendingSpace = false;
      }
      any = true;
      len = putUtf8(buf, len, cp < 128 ? lowerAscii(cp) : Character.toLowerCase(cp));
    }
    digest.update(buf, 0, len);
    return HexFormat.of().formatHex(digest.digest());
  }

  private static int lowerAscii(int cp) {
    return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
  }

  private static boolean isSpace(int cp) {
    if (cp < 128) {
      return cp == ' ' || (cp >= '\t' && cp <= '\r');
    }
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
  }

  /** Lone surrogates are encoded as U+FFFD, as String.getBytes(UTF_8) would replace them. */
  private static int putUtf8(byte[] buf, int at, int cp) {
    if (cp < 0x80) {
      buf[at++] = (byte) cp;
    } else if (cp < 0x800) {
      buf[at++] = (byte) (0xC0 | (cp >> 6));
      buf[at++] = (byte) (0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        cp = 0xFFFD;
      }
      buf[at++] = (byte) (0xE0 | (cp >> 12));
      buf[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
      buf[at++] = (byte) (0x80 | (cp & 0x3F));
    } else {
      buf[at++] = (byte) (0xF0 | (cp >> 18));
      buf[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
      buf[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
      buf[at++] = (byte) (0x80 | (cp & 0x3F));
    }
    return at;
  }

  private static final class State {
    final MessageDigest digest;
    final byte[] buffer = new byte[8192];

    State() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required by every Java platform", e);
      }
    }
  }
}
