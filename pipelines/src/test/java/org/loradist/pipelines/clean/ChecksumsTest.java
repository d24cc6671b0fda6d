package org.loradist.pipelines.clean;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChecksumsTest {
  @Test
  void luhn() {
    assertThat(Checksums.luhn("4111111111111111")).isTrue();
    assertThat(Checksums.luhn("4111 1111 1111 1111")).isTrue();
    assertThat(Checksums.luhn("378282246310005")).isTrue();
    assertThat(Checksums.luhn("79927398713")).isTrue(); // the textbook example
    assertThat(Checksums.luhn("4111111111111112")).isFalse();
    assertThat(Checksums.luhn("79927398710")).isFalse();
    assertThat(Checksums.luhn("")).isFalse();
  }

  @Test
  void ibanMod97WithCountryLength() {
    assertThat(Checksums.iban("DE89370400440532013000")).isTrue();
    assertThat(Checksums.iban("DE89 3704 0044 0532 0130 00")).isTrue();
    assertThat(Checksums.iban("GB82WEST12345698765432")).isTrue();
    assertThat(Checksums.iban("NL91ABNA0417164300")).isTrue();
    assertThat(Checksums.iban("CH9300762011623852957")).isTrue();
    assertThat(Checksums.iban("DE89370400440532013001")).isFalse(); // checksum
    assertThat(Checksums.iban("DE8937040044053201300")).isFalse(); // length for DE is 22
    assertThat(Checksums.iban("ZZ89370400440532013000")).isFalse(); // no such country
    assertThat(Checksums.iban("de89370400440532013000")).isFalse(); // lower case
  }
}
