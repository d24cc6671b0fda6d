package org.loradist.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {
  /** The hand-written validator must agree with the JDK's strict decoder on every input. */
  @Test
  void validatorAgreesWithTheJdkDecoder() {
    Random random = new Random(42);
    int[] interesting = {0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5,
        0xff, 0x9f, 0xa0, 0x8f, 0x90};
    int invalid = 0;
    for (int trial = 0; trial < 200_000; trial++) {
      byte[] bytes = new byte[1 + random.nextInt(6)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : random.nextInt(256));
      }
      boolean jdk = jdkAccepts(bytes);
      assertThat(Utf8.isValid(bytes, 0, bytes.length)).as(java.util.HexFormat.of().formatHex(bytes)).isEqualTo(jdk);
      invalid += jdk ? 0 : 1;
    }
    assertThat(invalid).isBetween(10_000, 190_000); // both outcomes were exercised
    String text = "ascii é € 𝄞 中文";
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    assertThat(Utf8.isValid(utf8, 0, utf8.length)).isTrue();
    assertThat(Utf8.decode(utf8, 0, utf8.length, false).text()).isEqualTo(text);
  }

  @Test
  void prefixCutsOnlyAnIncompleteLastSequence() {
    byte[] euro = "a€".getBytes(StandardCharsets.UTF_8); // 61 E2 82 AC
    assertThat(Utf8.completePrefix(euro, 4)).isEqualTo(4);
    assertThat(Utf8.completePrefix(euro, 3)).isEqualTo(1);
    assertThat(Utf8.completePrefix(euro, 2)).isEqualTo(1);
    assertThat(Utf8.truncate("ab𝄞", 3)).isEqualTo("ab"); // never half a surrogate pair
  }

  private static boolean jdkAccepts(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
