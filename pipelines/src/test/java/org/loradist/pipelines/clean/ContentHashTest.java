package org.loradist.pipelines.clean;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ContentHashTest {
  private static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void isSha256OfLowerCasedWhitespaceCollapsedText() throws Exception {
    assertThat(ContentHash.of("  Hello \n\n  World\t")).isEqualTo(sha256("hello world"));
    assertThat(ContentHash.of("")).isEqualTo(sha256(""));
    assertThat(ContentHash.of("\u00C9T\u00C9 \u00E0 Z\u00FCrich")).isEqualTo(sha256("\u00E9t\u00E9 \u00E0 z\u00FCrich"));
    assertThat(ContentHash.of("emoji \uD83D\uDE00")).isEqualTo(sha256("emoji \uD83D\uDE00"));
  }

  @Test
  void sameForCaseAndSpacingVariantsDifferentOtherwise() {
    String a = ContentHash.of("The quick brown fox.\n\nJumps.");
    assertThat(ContentHash.of("the QUICK brown   fox. Jumps.")).isEqualTo(a);
    assertThat(ContentHash.of("The quick brown fox. Jumps!")).isNotEqualTo(a);
    assertThat(ContentHash.of("Thequick brown fox. Jumps.")).isNotEqualTo(a);
    assertThat(a).hasSize(64).matches("[0-9a-f]{64}");
  }

  @Test
  void longTextIsStreamedCorrectly() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5_000; i++) {
      sb.append("Line ").append(i).append(" \u00FCber \u4E16\u754C\n");
    }
    String text = sb.toString();
    String expected = sha256(text.toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ").strip());
    assertThat(ContentHash.of(text)).isEqualTo(expected);
  }
}
