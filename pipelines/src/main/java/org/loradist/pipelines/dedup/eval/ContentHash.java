package org.loradist.pipelines.dedup.eval;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The {@code content_hash} the cleaner provides (SHA-256 hex of the lower-cased, whitespace-collapsed text), for
 * benchmarks and tests that start from raw texts. The cleaning stage owns the production one.
 */
public final class ContentHash {
  private ContentHash() {}

  public static String normalise(String text) {
    return text.toLowerCase(Locale.ROOT).trim().replaceAll("\\s+", " ");
  }

  public static String of(String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(normalise(text).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}
