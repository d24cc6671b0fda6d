package org.loradist.pipelines.clean;

import java.util.Map;

/** Check digits that separate real card numbers and IBANs from arbitrary digit runs. */
public final class Checksums {
  private Checksums() {}

  /** Luhn (mod 10) over the ASCII digits of {@code s[from, to)}; other chars (spaces, dashes) are skipped. */
  public static boolean luhn(CharSequence s, int from, int to) {
    int sum = 0;
    int digits = 0;
    for (int i = to - 1; i >= from; i--) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if ((digits & 1) == 1) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      digits++;
    }
    return digits > 0 && sum % 10 == 0;
  }

  public static boolean luhn(CharSequence s) {
    return luhn(s, 0, s.length());
  }

  /**
   * ISO 13616 check of the IBAN in {@code s[from, to)} (spaces skipped): known country, that country's length, and
   * mod 97 of the rearranged number equal to 1. Letters must be upper-case.
   */
  public static boolean iban(CharSequence s, int from, int to) {
    int len = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == ' ') {
        continue;
      }
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
        return false;
      }
      len++;
    }
    if (len < 5) {
      return false;
    }
    int first = skipSpaces(s, from, to);
    Integer expected = ibanLength(s.charAt(first), s.charAt(first + 1));
    if (expected == null || expected != len) {
      return false;
    }
    // Rearranged: BBAN first, then country code and check digits; letters count as two digits (A = 10).
    int mod = 0;
    for (int pass = 0; pass < 2; pass++) {
      int seen = 0;
      for (int i = from; i < to; i++) {
        char c = s.charAt(i);
        if (c == ' ') {
          continue;
        }
        boolean head = seen++ < 4;
        if (head == (pass == 0)) {
          continue;
        }
        mod = c <= '9' ? (mod * 10 + (c - '0')) % 97 : (mod * 100 + (c - 'A' + 10)) % 97;
      }
    }
    return mod == 1;
  }

  public static boolean iban(CharSequence s) {
    return iban(s, 0, s.length());
  }

  private static int skipSpaces(CharSequence s, int from, int to) {
    int i = from;
    while (i < to && s.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  /** The IBAN length of a country (SWIFT IBAN registry), or null for a code that has no IBAN. */
  public static Integer ibanLength(char c1, char c2) {
    return IBAN_LENGTHS.get(String.valueOf(new char[] {c1, c2}));
  }

  private static final Map<String, Integer> IBAN_LENGTHS = Map.ofEntries(
      Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
      Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BI", 27),
      Map.entry("BR", 29), Map.entry("BY", 28), Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28),
      Map.entry("CZ", 24), Map.entry("DE", 22), Map.entry("DJ", 27), Map.entry("DK", 18), Map.entry("DO", 28),
      Map.entry("EE", 20), Map.entry("EG", 29), Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FK", 18),
      Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22), Map.entry("GE", 22), Map.entry("GI", 23),
      Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28), Map.entry("HR", 21), Map.entry("HU", 28),
      Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23), Map.entry("IS", 26), Map.entry("IT", 27),
      Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20), Map.entry("LB", 28), Map.entry("LC", 32),
      Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20), Map.entry("LV", 21), Map.entry("LY", 25),
      Map.entry("MC", 27), Map.entry("MD", 24), Map.entry("ME", 22), Map.entry("MK", 19), Map.entry("MN", 20),
      Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NI", 28), Map.entry("NL", 18),
      Map.entry("NO", 15), Map.entry("OM", 23), Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29),
      Map.entry("PT", 25), Map.entry("QA", 29), Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("RU", 33),
      Map.entry("SA", 24), Map.entry("SC", 31), Map.entry("SD", 18), Map.entry("SE", 24), Map.entry("SI", 19),
      Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("SO", 23), Map.entry("ST", 25), Map.entry("SV", 28),
      Map.entry("TL", 23), Map.entry("TN", 24), Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VA", 22),
      Map.entry("VG", 24), Map.entry("XK", 20), Map.entry("YE", 30));
}
