package org.loradist.pipelines.clean;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PiiRedactorTest {
  private final PiiRedactor redactor = PiiRedactor.all();

  private String redact(String s) {
    return redactor.redact(s).text();
  }

  /** Asserts that nothing in {@code s} is redacted. */
  private void untouched(String s) {
    Redaction r = redactor.redact(s);
    assertThat(r.text()).as("should not be redacted").isEqualTo(s);
    assertThat(r.counts()).isEmpty();
  }

  // ------------------------------------------------------------ e-mail

  @Test
  void emailAddressesAreRedacted() {
    assertThat(redact("Author: Sebastiaan Visser <code@fvisser.nl>")).isEqualTo("Author: Sebastiaan Visser <[EMAIL]>");
    assertThat(redact("contact (steven.kleinstein@yale.edu) or first.last+tag@mail.example.co.uk."))
        .isEqualTo("contact ([EMAIL]) or [EMAIL].");
    assertThat(redact("mailto:pkg-exim4-users@lists.alioth.debian.org")).isEqualTo("mailto:[EMAIL]");
    assertThat(redact("Petr Kol\u00E1\u0159 <petr@vslib.cz>")).isEqualTo("Petr Kol\u00E1\u0159 <[EMAIL]>");
  }

  @Test
  void atSignsThatAreNotAddressesStay() {
    untouched("FightAids@Home and SETI@home");
    untouched("see https://medium.com/@valyala/promql-tutorial");
    untouched("use the `@providesModule` annotation and \\@testopt");
    untouched("icon@2x.png and logo@3x.svg");
    untouched("npm install lodash@4.17.21");
    untouched("ssh user@localhost");
    untouched("an email such as 5558888@fax");
  }

  @Test
  void credentialsInUrlsLoseTheAddressPart() {
    // "foobar@127.0.0.1" is not an e-mail (numeric top-level label); the IP is redacted instead.
    assertThat(redact("mysql://keystone:foobar@127.0.0.1/keystone")).isEqualTo("mysql://keystone:foobar@[IPV4]/keystone");
  }

  // ------------------------------------------------------------ IPv4

  @Test
  void ipv4AddressesAreRedactedWithPortsAndPrefixesKept() {
    assertThat(redact("connect to 192.168.1.20:5432 now")).isEqualTo("connect to [IPV4]:5432 now");
    assertThat(redact("allow 10.0.0.0/8 and 203.97.2.0/24.")).isEqualTo("allow [IPV4]/8 and [IPV4]/24.");
    assertThat(redact("host \"127.0.0.1\",")).isEqualTo("host \"[IPV4]\",");
    assertThat(redact("http://172.16.254.1/index")).isEqualTo("http://[IPV4]/index");
  }

  @Test
  void versionNumbersAndDatesAreNotIpv4() {
    untouched("linux 2.6.32-5 and 2.6.32.5-1 and glibc 2.31");
    untouched("upgrade 1.2.3.4.5 or 10.20.30.40rc1 or 10.20.30.40+dfsg or 10.20.30.40~beta");
    untouched("version 10.20.30.40 is out; see v10.20.30.40 and release 12.1.0.2");
    untouched("the plugin btn4ws (0.8.0.1) and check_hpasm (4.8.0.2)");
    untouched("specified in section 8.2.2.1 of the draft; section 10.2.3.14 too");
    untouched("dated 2023.01.15 and 15.01.2023, 300.1.1.1, 01.02.03.04");
    untouched("doi=10.1.1.85.5017&rep=rep1");
    untouched("package-1.22.33.44 and lib_1.22.33.44");
  }

  @Test
  void numberedHeadingsAreNotIpv4ButAddressesAtLineStartAre() {
    untouched("intro\n\n9.16.2.3. Strict and Lax Modes\n\n## 38.17.6.2. Security\n  26.2.5.1.");
    assertThat(redact("10.20.30.40 - - [10/Oct/2000:13:55:36] GET /")).startsWith("[IPV4] - - [");
    assertThat(redact("the host is 10.20.30.40. Then")).isEqualTo("the host is [IPV4]. Then");
  }

  // ------------------------------------------------------------ IPv6

  @Test
  void ipv6AddressesAreRedacted() {
    assertThat(redact("addr 2001:0db8:85a3:0000:0000:8a2e:0370:7334 here"))
        .isEqualTo("addr [IPV6] here");
    assertThat(redact("block 2001:db8:aaaa::/64, link fe80::1%eth0."))
        .isEqualTo("block [IPV6]/64, link [IPV6]%eth0.");
    assertThat(redact("mapped ::ffff:192.168.0.1 and [2001:db8::1]:8080"))
        .isEqualTo("mapped [IPV6] and [[IPV6]]:8080");
    assertThat(redact("group 239.255.255.250/ff02::c multicast")).isEqualTo("group [IPV4]/[IPV6] multicast");
  }

  @Test
  void cppPerlNamespacesTimesAndMacAddressesAreNotIpv6() {
    untouched("std::vector<int> and Foo::Bar::Baz and Data::Dumper and a::b::c");
    untouched("at 12:30:45 on 2023-01-15 the clock said 22:40:43:807100");
    untouched("MAC 00:1a:2b:3c:4d:5e and aa:bb:cc:dd:ee:ff");
    untouched("the ratio 16:9 and sha256:abcdef0123456789 and \"::\" alone");
    untouched("hex ids deadbeef cafe:babe and dead:beef:1");
  }

  // ------------------------------------------------------------ payment cards

  @Test
  void luhnValidCardNumbersAreRedacted() {
    assertThat(redact("visa 4111 1111 1111 1111 ok")).isEqualTo("visa [CARD] ok");
    assertThat(redact("mc 5555-5555-5555-4444.")).isEqualTo("mc [CARD].");
    assertThat(redact("amex 378282246310005, amex grouped 3782 822463 10005"))
        .isEqualTo("amex [CARD], amex grouped [CARD]");
    assertThat(redact("discover 6011111111111117 mc2 2223003122003222"))
        .isEqualTo("discover [CARD] mc2 [CARD]");
  }

  @Test
  void luhnInvalidOrImplausibleNumbersAreNotCards() {
    untouched("visa-like 4111 1111 1111 1112 fails Luhn");
    untouched("issuer 1234567812345670 passes Luhn but no network starts with 1");
    untouched("years 2001 2002 2003 2004 or 2001-2002-2003-2004");
    untouched("timestamp 1609459200000 and 18446744073709551615 (20 digits)");
    untouched("mixed groups 4111 11 1111 1111 1111 and 41111-1111-1111-111");
    untouched("decimal 4111111111111111.5 and word4111111111111111");
  }

  // ------------------------------------------------------------ IBAN

  @Test
  void checksumValidIbansAreRedacted() {
    assertThat(redact("IBAN: DE89 3704 0044 0532 0130 00, thanks")).isEqualTo("IBAN: [IBAN], thanks");
    assertThat(redact("pay to GB82WEST12345698765432.")).isEqualTo("pay to [IBAN].");
    assertThat(redact("FR14 2004 1010 0505 0001 3M02 606 and NO93 8601 1117 947"))
        .isEqualTo("[IBAN] and [IBAN]");
  }

  @Test
  void ibansWithBadChecksumLengthOrCountryAreNot() {
    untouched("DE89 3704 0044 0532 0130 01 (check digit wrong)");
    untouched("DE89 3704 0044 0532 0130 (too short for DE)");
    untouched("XX89 3704 0044 0532 0130 00 (no such country)");
    untouched("model DE89370400440532013000X and de89 3704 0044 0532 0130 00");
  }

  // ------------------------------------------------------------ phone numbers

  @Test
  void phoneNumbersAreRedacted() {
    assertThat(redact("call +49 30 1234567 or +44 (0)20 7946 0958.")).isEqualTo("call [PHONE] or [PHONE].");
    assertThat(redact("or +14155550132 (E.164)")).isEqualTo("or [PHONE] (E.164)");
    assertThat(redact("US (415) 555-0132, 415-555-0132 or 1-800-555-0199"))
        .isEqualTo("US [PHONE], [PHONE] or [PHONE]");
    assertThat(redact("Tel.: 030 1234567\nFax: 030/1234568\nphone number: 06221 54 3210"))
        .isEqualTo("Tel.: [PHONE]\nFax: [PHONE]\nphone number: [PHONE]");
  }

  @Test
  void datesRangesVersionsAndIdsAreNotPhones() {
    untouched("released 2023-01-15, copyright 1999-2005, version 2.6.32-5");
    untouched("ISBN 978-0-387-77316-2 and doi:10.1201/9780429485572");
    untouched("port 8080, pid 1234567, serial 6447364, C++ 11, a+12345678");
    untouched("integer -2147483648 to +2147483647, unsigned up to +4294967295");
    untouched("call 555 to get 1234567 items; 123-456-7890 has area code 1xx");
    untouched("phones supported: Nokia 6310, telephone 12 and fax 3");
  }

  // ------------------------------------------------------------ counts, priorities, switches

  @Test
  void countsPerTypeAndPlaceholdersInOrder() {
    Redaction r = redactor.redact(
        "a@b.org, c@d.org, 10.1.2.3, 4111111111111111, DE89370400440532013000, +1 415 555 0132, fe80::1:2");
    assertThat(r.text()).isEqualTo("[EMAIL], [EMAIL], [IPV4], [CARD], [IBAN], [PHONE], [IPV6]");
    assertThat(r.counts()).isEqualTo(Map.of("email", 2, "ipv4", 1, "card", 1, "iban", 1, "phone", 1, "ipv6", 1));
    assertThat(r.total()).isEqualTo(7);
    assertThat(r.count(PiiType.EMAIL)).isEqualTo(2);
  }

  @Test
  void eachTypeCanBeSwitchedOff() {
    String text = "mail a@b.org from 10.1.2.3 card 4111111111111111";
    PiiRedactor onlyIp = new PiiRedactor(EnumSet.of(PiiType.IPV4));
    assertThat(onlyIp.redact(text).text()).isEqualTo("mail a@b.org from [IPV4] card 4111111111111111");
    PiiRedactor none = new PiiRedactor(EnumSet.noneOf(PiiType.class));
    assertThat(none.redact(text).text()).isSameAs(text);
    PiiRedactor noCards = new PiiRedactor(EnumSet.complementOf(EnumSet.of(PiiType.CARD)));
    assertThat(noCards.redact(text).text()).isEqualTo("mail [EMAIL] from [IPV4] card 4111111111111111");
  }

  @Test
  void textWithoutPiiIsReturnedUnchanged() {
    String text = "A plain description: version 1.2.3, see http://example.org/x for more.";
    assertThat(redactor.redact(text).text()).isSameAs(text);
  }

  @Test
  void typeKeysRoundTrip() {
    for (PiiType type : PiiType.values()) {
      assertThat(PiiType.fromKey(type.key())).isEqualTo(type);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PiiType.fromKey("ssn"))
        .hasMessageContaining("'ssn'").hasMessageContaining("email, phone");
  }
}
