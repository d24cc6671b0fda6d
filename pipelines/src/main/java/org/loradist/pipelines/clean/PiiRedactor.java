package org.loradist.pipelines.clean;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Replaces personal data by typed placeholders ({@link PiiType#placeholder()}).
 *
 * <p>Hand-written scanners rather than regular expressions: each one looks only at its trigger ({@code @} for
 * e-mail, {@code :} for IPv6, digits for the rest), so a document costs a few linear passes. The rules favour
 * precision on technical text, where dotted and dashed numbers are mostly versions, dates and ids:
 *
 * <ul>
 *   <li>EMAIL: local part and a dotted domain whose last label is 2+ letters and not a file extension
 *       ({@code icon@2x.png} is no address);</li>
 *   <li>IBAN: upper-case country code with a known IBAN length, contiguous or in groups of four, mod-97 valid;</li>
 *   <li>CARD: 13-19 digits, contiguous or grouped (first group of 4, then groups of 3-6, one separator kind),
 *       first digit 2-6 (the card networks' ranges), Luhn valid;</li>
 *   <li>IPV6: full or {@code ::}-compressed form (optionally ending in a dotted quad) with at least two groups,
 *       not glued to a word ({@code std::map}, {@code Foo::Bar}, MAC addresses and times do not parse);</li>
 *   <li>IPV4: four octets 0-255 without leading zeros, not part of a longer dotted/dashed/suffixed token
 *       ({@code 2.6.32.5-1}, {@code 1.2.3.4.5}, {@code 1.2.3.4rc1}), not right after "version", "v", "release",
 *       "section"..., not a numbered heading ("9.16.2.3. Title" opening a line), and not version-shaped (four
 *       single digits, or a first part 0);</li>
 *   <li>PHONE: an international number ({@code +} and 8-15 digits, 11+ when unseparated), a North American number
 *       ({@code (NXX) NXX-XXXX}, {@code NXX-NXX-XXXX}, {@code NXX.NXX.XXXX}), or any 7-15 digit number right after
 *       "phone", "tel", "fax", "mobile"... Bare national numbers without such a cue are left alone: in technical
 *       text they cannot be told from dates, ranges and ids.</li>
 * </ul>
 *
 * Earlier types win where matches overlap (in the order above, e-mail first). Thread-safe.
 */
public final class PiiRedactor {
  private final boolean[] enabled = new boolean[PiiType.values().length];

  public PiiRedactor(Set<PiiType> types) {
    for (PiiType type : types) {
      enabled[type.ordinal()] = true;
    }
  }

  /** A redactor for every type. */
  public static PiiRedactor all() {
    return new PiiRedactor(EnumSet.allOf(PiiType.class));
  }

  public boolean isEnabled(PiiType type) {
    return enabled[type.ordinal()];
  }

  public Redaction redact(String text) {
    if (text == null || text.isEmpty()) {
      return new Redaction(text == null ? "" : text, Map.of());
    }
    Spans spans = new Spans();
    if (enabled[PiiType.EMAIL.ordinal()]) {
      findEmails(text, spans);
    }
    // Everything else needs digits: the more a type needs, the fewer documents it has to scan.
    int digits = countDigits(text);
    if (digits >= 2 && enabled[PiiType.IBAN.ordinal()]) {
      findIbans(text, spans);
    }
    if (digits >= 13 && enabled[PiiType.CARD.ordinal()]) {
      findCards(text, spans);
    }
    if (enabled[PiiType.IPV6.ordinal()]) {
      findIpv6(text, spans);
    }
    if (digits >= 4 && enabled[PiiType.IPV4.ordinal()]) {
      findIpv4(text, spans);
    }
    if (digits >= 7 && enabled[PiiType.PHONE.ordinal()]) {
      findPhones(text, spans);
    }
    return spans.size == 0 ? new Redaction(text, Map.of()) : spans.apply(text);
  }

  // ---------------------------------------------------------------- e-mail

  private static final Set<String> FILE_EXTENSIONS = Set.of(
      "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "pdf", "css", "html", "htm",
      "json", "xml", "txt", "yml", "yaml", "toml", "lock", "jar", "class", "js", "ts", "map", "zip", "gz", "tgz",
      "xz", "bz2", "exe", "dll", "java", "cpp", "hpp", "cc");

  private static void findEmails(String s, Spans spans) {
    int n = s.length();
    int at = s.indexOf('@');
    while (at >= 0) {
      int next = at + 1;
      int start = at;
      while (start > 0 && isLocalChar(s.charAt(start - 1))) {
        start--;
      }
      while (start < at && s.charAt(start) == '.') {
        start++;
      }
      int end = at + 1;
      while (end < n && isDomainChar(s.charAt(end))) {
        end++;
      }
      while (end > at + 1 && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == '-')) {
        end--;
      }
      if (start < at && s.charAt(at - 1) != '.' && validDomain(s, at + 1, end)) {
        spans.add(start, end, PiiType.EMAIL);
        next = end;
      }
      at = next < n ? s.indexOf('@', next) : -1;
    }
  }

  private static boolean isLocalChar(char c) {
    if (c < 0x80) {
      return isAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }
    return Character.isLetterOrDigit(c);
  }

  private static boolean isDomainChar(char c) {
    if (c < 0x80) {
      return isAsciiAlnum(c) || c == '.' || c == '-';
    }
    return Character.isLetterOrDigit(c);
  }

  /** Dotted labels, none empty or dash-edged; a top-level label of 2+ letters (or punycode) that is no extension. */
  private static boolean validDomain(String s, int from, int to) {
    if (to - from < 4) {
      return false;
    }
    int labels = 0;
    int labelStart = from;
    for (int i = from; i <= to; i++) {
      if (i == to || s.charAt(i) == '.') {
        if (i == labelStart || s.charAt(labelStart) == '-' || s.charAt(i - 1) == '-') {
          return false;
        }
        labels++;
        if (i < to) {
          labelStart = i + 1;
        }
      }
    }
    if (labels < 2) {
      return false;
    }
    String tld = s.substring(labelStart, to);
    if (tld.startsWith("xn--")) {
      return true;
    }
    if (tld.length() < 2 || tld.length() > 24) {
      return false;
    }
    for (int i = 0; i < tld.length(); i++) {
      if (!Character.isLetter(tld.charAt(i))) {
        return false;
      }
    }
    return !FILE_EXTENSIONS.contains(tld.toLowerCase(java.util.Locale.ROOT));
  }

  // ---------------------------------------------------------------- IBAN

  private static void findIbans(String s, Spans spans) {
    int n = s.length();
    for (int i = 0; i + 15 <= n; i++) {
      char c = s.charAt(i);
      if (c < 'A' || c > 'Z' || (i > 0 && isWordChar(s.charAt(i - 1)))) {
        continue;
      }
      if (!isAsciiUpper(s.charAt(i + 1)) || !isAsciiDigit(s.charAt(i + 2)) || !isAsciiDigit(s.charAt(i + 3))) {
        continue;
      }
      Integer length = Checksums.ibanLength(c, s.charAt(i + 1));
      if (length == null) {
        continue;
      }
      int end = ibanEnd(s, i, length);
      if (end > 0 && !spans.overlaps(i, end) && Checksums.iban(s, i, end)) {
        spans.add(i, end, PiiType.IBAN);
        i = end - 1;
      }
    }
  }

  /** End of an IBAN of {@code length} chars at {@code from}: contiguous, or groups of 4 split by one space. */
  private static int ibanEnd(String s, int from, int length) {
    int n = s.length();
    int total = 0;
    int i = from;
    while (true) {
      int run = 0;
      while (i < n && isIbanChar(s.charAt(i))) {
        i++;
        run++;
      }
      total += run;
      if (total == length) {
        return i < n && isWordChar(s.charAt(i)) ? -1 : i;
      }
      // A short group is only allowed last; anything else (or running past the length) is not this IBAN.
      if (total > length || run != 4 || i + 1 >= n || s.charAt(i) != ' ' || !isIbanChar(s.charAt(i + 1))) {
        return -1;
      }
      i++;
    }
  }

  private static boolean isIbanChar(char c) {
    return isAsciiDigit(c) || isAsciiUpper(c);
  }

  // ---------------------------------------------------------------- payment cards

  private static void findCards(String s, Spans spans) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!isAsciiDigit(c)) {
        continue;
      }
      int runEnd = digitRunEnd(s, i);
      if (c < '2' || c > '6' || !cardStartBoundary(s, i)) {
        i = runEnd - 1;
        continue;
      }
      int end = cardEnd(s, i, runEnd);
      if (end > 0 && plausibleIssuer(s, i, end) && !spans.overlaps(i, end) && Checksums.luhn(s, i, end)) {
        spans.add(i, end, PiiType.CARD);
        i = end - 1;
      } else {
        i = runEnd - 1;
      }
    }
  }

  private static boolean cardStartBoundary(String s, int i) {
    if (i == 0) {
      return true;
    }
    char p = s.charAt(i - 1);
    return !isWordChar(p) && p != '.' && p != '-' && p != '+' && p != ',';
  }

  /** End of a 13-19 digit card number starting at {@code from} whose first digit run ends at {@code runEnd}. */
  private static int cardEnd(String s, int from, int runEnd) {
    int first = runEnd - from;
    if (first >= 13 && first <= 19) {
      return numberEndsAt(s, runEnd) ? runEnd : -1;
    }
    if (first != 4) {
      return -1;
    }
    int n = s.length();
    char sep = runEnd < n ? s.charAt(runEnd) : 0;
    if (sep != ' ' && sep != '-') {
      return -1;
    }
    int digits = 4;
    int i = runEnd;
    while (i + 1 < n && s.charAt(i) == sep && isAsciiDigit(s.charAt(i + 1))) {
      int groupEnd = digitRunEnd(s, i + 1);
      int group = groupEnd - i - 1;
      if (group < 3 || group > 6) {
        return -1;
      }
      digits += group;
      i = groupEnd;
      if (digits > 19) {
        return -1;
      }
    }
    return digits >= 13 && numberEndsAt(s, i) ? i : -1;
  }

  /**
   * Whether the number's prefix and length fit a card network's range (MC 2221-2720 and 51-55, Amex 34/37, Diners
   * 30/36/38/39, JCB 35, Visa 4, Maestro 50/56-58, Discover/UnionPay/Maestro 6). This rules out e.g. runs of years
   * ("2001 2002 2003 2004"), which pass Luhn one time in ten.
   */
  private static boolean plausibleIssuer(String s, int from, int end) {
    int digits = 0;
    int prefix = 0;
    for (int i = from; i < end; i++) {
      char c = s.charAt(i);
      if (isAsciiDigit(c)) {
        if (digits < 4) {
          prefix = prefix * 10 + (c - '0');
        }
        digits++;
      }
    }
    int two = prefix / 100;
    switch (prefix / 1000) {
      case 2:
        return prefix >= 2221 && prefix <= 2720 && digits == 16;
      case 3:
        if (two == 34 || two == 37) {
          return digits == 15;
        }
        if (two == 35) {
          return digits >= 16;
        }
        return (two == 30 || two == 36 || two == 38 || two == 39) && digits >= 14;
      case 4:
        return digits == 13 || digits == 16 || digits == 19;
      case 5:
        if (two >= 51 && two <= 55) {
          return digits == 16;
        }
        return two == 50 || (two >= 56 && two <= 58);
      case 6:
        return digits >= 16 || two == 60 || two == 63 || two == 67;
      default:
        return false;
    }
  }

  /** No letter, digit or a decimal/version continuation right after a number ending at {@code end}. */
  private static boolean numberEndsAt(String s, int end) {
    if (end >= s.length()) {
      return true;
    }
    char c = s.charAt(end);
    if (isWordChar(c)) {
      return false;
    }
    boolean continues = end + 1 < s.length() && isAsciiDigit(s.charAt(end + 1));
    return !(continues && (c == '.' || c == ',' || c == '-' || c == '/' || c == ':'));
  }

  // ---------------------------------------------------------------- IPv6

  private static void findIpv6(String s, Spans spans) {
    int n = s.length();
    int colon = s.indexOf(':');
    while (colon >= 0) {
      int start = colon;
      while (start > 0 && isIpv6Char(s.charAt(start - 1))) {
        start--;
      }
      int end = colon + 1;
      while (end < n && isIpv6Char(s.charAt(end))) {
        end++;
      }
      // Sentence punctuation is no part of the address; a single leading ':' ("addr:fe80::1") neither.
      while (end > start && s.charAt(end - 1) == '.') {
        end--;
      }
      while (end - start >= 2 && s.charAt(end - 1) == ':' && s.charAt(end - 2) != ':') {
        end--;
      }
      if (start + 1 < end && s.charAt(start) == ':' && s.charAt(start + 1) != ':') {
        start++;
      }
      boolean glued = (start > 0 && isWordChar(s.charAt(start - 1))) || (end < n && isWordChar(s.charAt(end)));
      if (!glued && end > start && validIpv6(s, start, end) && !spans.overlaps(start, end)) {
        spans.add(start, end, PiiType.IPV6);
      }
      int next = Math.max(end, colon + 1);
      colon = next < n ? s.indexOf(':', next) : -1;
    }
  }

  private static boolean isIpv6Char(char c) {
    return isHexDigit(c) || c == ':' || c == '.';
  }

  /** RFC 4291 text form: 8 groups, or fewer with one "::"; a trailing dotted quad counts as two groups. */
  static boolean validIpv6(String s, int from, int to) {
    int groups = 0;
    boolean compressed = false;
    int i = from;
    if (to - from >= 2 && s.charAt(from) == ':' && s.charAt(from + 1) == ':') {
      compressed = true;
      i += 2;
      if (i == to) {
        return false; // "::" alone: the unspecified address, and C++/Perl noise
      }
    } else if (s.charAt(from) == ':') {
      return false;
    }
    while (i < to) {
      int groupStart = i;
      while (i < to && isHexDigit(s.charAt(i))) {
        i++;
      }
      if (i < to && s.charAt(i) == '.') {
        // Embedded IPv4 must be the last thing.
        if (ipv4End(s, groupStart) != to) {
          return false;
        }
        groups += 2;
        i = to;
        break;
      }
      int len = i - groupStart;
      if (len == 0 || len > 4) {
        return false;
      }
      groups++;
      if (i == to) {
        break;
      }
      i++; // the ':'
      if (i < to && s.charAt(i) == ':') {
        if (compressed) {
          return false;
        }
        compressed = true;
        i++;
      } else if (i == to) {
        return false; // ends in a single ':'
      }
    }
    return compressed ? groups >= 2 && groups <= 7 : groups == 8;
  }

  // ---------------------------------------------------------------- IPv4

  private static final Set<String> VERSION_WORDS = Set.of(
      "version", "versions", "ver", "v", "release", "releases", "rev", "revision", "kernel", "build", "section",
      "sections", "chapter", "step", "figure", "table", "rfc");

  private static void findIpv4(String s, Spans spans) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (!isAsciiDigit(s.charAt(i))) {
        continue;
      }
      if (i > 0 && !ipv4StartBoundary(s.charAt(i - 1))) {
        i = digitRunEnd(s, i) - 1;
        continue;
      }
      int end = ipv4End(s, i);
      if (end > 0 && ipv4EndBoundary(s, end) && !versionLike(s, i, end) && !afterVersionWord(s, i)
          && !sectionHeading(s, i, end) && !spans.overlaps(i, end)) {
        spans.add(i, end, PiiType.IPV4);
        i = end - 1;
      } else {
        i = digitRunEnd(s, i) - 1;
      }
    }
  }

  private static boolean ipv4StartBoundary(char p) {
    return !isWordChar(p) && p != '.' && p != '-' && p != '+' && p != '~';
  }

  /**
   * Four single-digit parts ("4.8.0.2", "8.2.2.1") or a first part 0 ("0.8.0.1") is far more often a version or a
   * section number than an address; the few real addresses of that shape (0.0.0.0, 1.1.1.1, 8.8.8.8) are wildcard
   * and public-resolver addresses, not personal data.
   */
  private static boolean versionLike(String s, int from, int end) {
    return end - from == 7 || s.charAt(from) == '0';
  }

  /**
   * A numbered heading, "9.16.2.3. Strict and Lax Modes": the number opens its line (after indentation or Markdown
   * '#'s) and is closed by a dot. Manuals are full of these.
   */
  private static boolean sectionHeading(String s, int from, int end) {
    if (end >= s.length() || s.charAt(end) != '.' || (end + 1 < s.length() && !isSpaceOrBreak(s.charAt(end + 1)))) {
      return false;
    }
    for (int i = from - 1; i >= 0; i--) {
      char c = s.charAt(i);
      if (c == '\n') {
        return true;
      }
      if (c != ' ' && c != '\t' && c != '#') {
        return false;
      }
    }
    return true;
  }

  private static boolean isSpaceOrBreak(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  /** End of a dotted quad at {@code from} (octets 0-255, no leading zeros), or -1. */
  private static int ipv4End(String s, int from) {
    int n = s.length();
    int i = from;
    for (int octet = 0; octet < 4; octet++) {
      if (octet > 0) {
        if (i >= n || s.charAt(i) != '.') {
          return -1;
        }
        i++;
      }
      int start = i;
      int value = 0;
      while (i < n && i - start < 4 && isAsciiDigit(s.charAt(i))) {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
      }
      int len = i - start;
      if (len == 0 || len > 3 || value > 255 || (len > 1 && s.charAt(start) == '0')) {
        return -1;
      }
    }
    return i;
  }

  /** Not followed by more of a version: letters, digits, ".5", "-1", "+dfsg", "~rc1". A ":port" or "/24" is fine. */
  private static boolean ipv4EndBoundary(String s, int end) {
    if (end >= s.length()) {
      return true;
    }
    char c = s.charAt(end);
    if (isWordChar(c) || c == '+' || c == '~') {
      return false;
    }
    boolean more = end + 1 < s.length() && isWordChar(s.charAt(end + 1));
    return !(more && (c == '.' || c == '-'));
  }

  /** Whether the word just before {@code i} (skipping spaces) is one that introduces a version number. */
  private static boolean afterVersionWord(String s, int i) {
    int end = i;
    while (end > 0 && s.charAt(end - 1) == ' ') {
      end--;
    }
    int start = end;
    while (start > 0 && end - start <= 8 && isAsciiLetter(s.charAt(start - 1))) {
      start--;
    }
    return start < end && VERSION_WORDS.contains(s.substring(start, end).toLowerCase(java.util.Locale.ROOT));
  }

  // ---------------------------------------------------------------- phone numbers

  private static final String[] PHONE_CUES = {"phone", "telephone", "tel", "fax", "mobile"};

  private static void findPhones(String s, Spans spans) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      int end = -1;
      if (c == '+') {
        end = internationalEnd(s, i);
      } else if (c == '(' || isAsciiDigit(c)) {
        end = northAmericanEnd(s, i);
      } else if (isAsciiLetter(c) && (i == 0 || !isWordChar(s.charAt(i - 1)))) {
        int numberStart = afterPhoneCue(s, i);
        if (numberStart > 0) {
          end = cuedEnd(s, numberStart);
          if (end > 0 && !spans.overlaps(numberStart, end)) {
            spans.add(numberStart, end, PiiType.PHONE);
            i = end - 1;
            continue;
          }
        }
        while (i + 1 < n && isWordChar(s.charAt(i + 1))) {
          i++;
        }
        continue;
      }
      if (end > 0 && !spans.overlaps(i, end)) {
        spans.add(i, end, PiiType.PHONE);
        i = end - 1;
      } else if (isAsciiDigit(c)) {
        i = digitRunEnd(s, i) - 1;
      }
    }
  }

  /**
   * "+CC ..." with 8-15 digits (16 when a "(0)" trunk prefix is written); written without any separator it needs
   * 11+ digits, so that signed integers such as "+2147483647" are not taken for numbers to call.
   */
  private static int internationalEnd(String s, int plus) {
    if (plus > 0 && (isWordChar(s.charAt(plus - 1)) || s.charAt(plus - 1) == '+')) {
      return -1;
    }
    if (plus + 1 >= s.length() || !isAsciiDigit(s.charAt(plus + 1))) {
      return -1;
    }
    long packed = phoneRun(s, plus + 1);
    int end = (int) (packed >>> 32);
    int digits = (int) packed;
    int minDigits = end - plus - 1 == digits ? 11 : 8;
    return digits >= minDigits && digits <= 16 && numberEndsAt(s, end) ? end : -1;
  }

  /** (NXX) NXX-XXXX, NXX-NXX-XXXX or NXX.NXX.XXXX, optionally after "1-"/"1 "/"1.". */
  private static int northAmericanEnd(String s, int from) {
    if (from > 0) {
      char p = s.charAt(from - 1);
      if (isWordChar(p) || p == '.' || p == '-' || p == '/' || p == '+' || p == ':') {
        return -1;
      }
    }
    int n = s.length();
    int i = from;
    if (s.charAt(i) == '1' && i + 1 < n && (s.charAt(i + 1) == '-' || s.charAt(i + 1) == ' '
        || s.charAt(i + 1) == '.')) {
      i += 2;
    }
    char sep;
    if (i < n && s.charAt(i) == '(') {
      if (!threeDigits(s, i + 1, true) || i + 4 >= n || s.charAt(i + 4) != ')') {
        return -1;
      }
      i += 5;
      if (i < n && s.charAt(i) == ' ') {
        i++;
      }
      sep = '-';
    } else {
      if (!threeDigits(s, i, true) || i + 3 >= n) {
        return -1;
      }
      sep = s.charAt(i + 3);
      if (sep != '-' && sep != '.') {
        return -1;
      }
      i += 4;
    }
    if (!threeDigits(s, i, true) || i + 3 >= n || s.charAt(i + 3) != sep) {
      return -1;
    }
    i += 4;
    for (int k = 0; k < 4; k++) {
      if (i + k >= n || !isAsciiDigit(s.charAt(i + k))) {
        return -1;
      }
    }
    i += 4;
    return numberEndsAt(s, i) ? i : -1;
  }

  private static boolean threeDigits(String s, int i, boolean firstNotZeroOrOne) {
    if (i + 3 > s.length()) {
      return false;
    }
    for (int k = 0; k < 3; k++) {
      if (!isAsciiDigit(s.charAt(i + k))) {
        return false;
      }
    }
    return !(firstNotZeroOrOne && s.charAt(i) < '2') && (i + 3 == s.length() || !isAsciiDigit(s.charAt(i + 3)));
  }

  /** If a phone cue word starts at {@code i}, where the number after it starts; else -1. */
  private static int afterPhoneCue(String s, int i) {
    int n = s.length();
    int wordEnd = i;
    while (wordEnd < n && isAsciiLetter(s.charAt(wordEnd))) {
      wordEnd++;
    }
    int len = wordEnd - i;
    if (len < 3 || len > 9) {
      return -1;
    }
    boolean cue = false;
    for (String word : PHONE_CUES) {
      if (word.length() == len && s.regionMatches(true, i, word, 0, len)) {
        cue = true;
        break;
      }
    }
    if (!cue) {
      return -1;
    }
    // Skip ".", ":", spaces, dashes and an optional "number"/"no"/"nr"/"#", within a short reach.
    int j = wordEnd;
    int limit = Math.min(n, wordEnd + 16);
    while (j < limit) {
      char c = s.charAt(j);
      if (c == '+' || c == '(' || isAsciiDigit(c)) {
        return j;
      }
      if (isAsciiLetter(c)) {
        int k = j;
        while (k < n && isAsciiLetter(s.charAt(k))) {
          k++;
        }
        String word = s.substring(j, k).toLowerCase(java.util.Locale.ROOT);
        if (!(word.equals("number") || word.equals("no") || word.equals("nr") || word.equals("num"))) {
          return -1;
        }
        j = k;
        continue;
      }
      if (c != ' ' && c != '.' && c != ':' && c != '-' && c != '#' && c != '\t') {
        return -1;
      }
      j++;
    }
    return -1;
  }

  /** A number right after a phone cue: optional '+', 7-15 digits in groups. */
  private static int cuedEnd(String s, int from) {
    int i = s.charAt(from) == '+' ? from + 1 : from;
    if (i >= s.length() || !(isAsciiDigit(s.charAt(i)) || s.charAt(i) == '(')) {
      return -1;
    }
    long packed = phoneRun(s, i);
    int end = (int) (packed >>> 32);
    int digits = (int) packed;
    return digits >= 7 && digits <= 16 && numberEndsAt(s, end) ? end : -1;
  }

  /**
   * Digit groups separated by one of ' ', '-', '.', '/' or wrapped in parentheses, from {@code from}.
   * Returns {@code end << 32 | digits}; the end never includes a trailing separator.
   */
  private static long phoneRun(String s, int from) {
    int n = s.length();
    int i = from;
    int end = from;
    int digits = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (isAsciiDigit(c)) {
        digits++;
        i++;
        end = i;
      } else if (c == '(' && i + 1 < n && isAsciiDigit(s.charAt(i + 1))) {
        int close = digitRunEnd(s, i + 1);
        if (close >= n || s.charAt(close) != ')' || close - i - 1 > 4) {
          break;
        }
        digits += close - i - 1;
        i = close + 1;
        end = i;
        if (i < n && s.charAt(i) == ' ') {
          i++;
        }
      } else if ((c == ' ' || c == '-' || c == '.' || c == '/') && end == i && i + 1 < n
          && (isAsciiDigit(s.charAt(i + 1)) || s.charAt(i + 1) == '(')) {
        i++;
      } else {
        break;
      }
      if (digits > 16) {
        break;
      }
    }
    return ((long) end << 32) | digits;
  }

  // ---------------------------------------------------------------- shared helpers

  private static int countDigits(String s) {
    int digits = 0;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      }
    }
    return digits;
  }

  private static int digitRunEnd(String s, int i) {
    int n = s.length();
    while (i < n && isAsciiDigit(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAsciiUpper(char c) {
    return c >= 'A' && c <= 'Z';
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isAsciiAlnum(char c) {
    return isAsciiDigit(c) || isAsciiLetter(c);
  }

  private static boolean isHexDigit(char c) {
    return isAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** Letters, digits and '_' in any script: a match glued to one of these is part of a larger token. */
  private static boolean isWordChar(char c) {
    if (c < 0x80) {
      return isAsciiAlnum(c) || c == '_';
    }
    return Character.isLetterOrDigit(c);
  }

  /** Non-overlapping matches kept sorted by start; allocated per document only when something is found. */
  private static final class Spans {
    private static final int[] NO_INTS = new int[0];
    private static final byte[] NO_BYTES = new byte[0];

    int[] starts = NO_INTS;
    int[] ends = NO_INTS;
    byte[] types = NO_BYTES;
    int size;

    boolean overlaps(int start, int end) {
      int k = insertionPoint(start);
      return (k > 0 && ends[k - 1] > start) || (k < size && starts[k] < end);
    }

    void add(int start, int end, PiiType type) {
      if (overlaps(start, end)) {
        return;
      }
      if (size == starts.length) {
        int capacity = Math.max(4, size * 2);
        starts = Arrays.copyOf(starts, capacity);
        ends = Arrays.copyOf(ends, capacity);
        types = Arrays.copyOf(types, capacity);
      }
      int k = insertionPoint(start);
      System.arraycopy(starts, k, starts, k + 1, size - k);
      System.arraycopy(ends, k, ends, k + 1, size - k);
      System.arraycopy(types, k, types, k + 1, size - k);
      starts[k] = start;
      ends[k] = end;
      types[k] = (byte) type.ordinal();
      size++;
    }

    /** Index of the first span starting at or after {@code start}. */
    private int insertionPoint(int start) {
      int lo = 0;
      int hi = size;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (starts[mid] < start) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    Redaction apply(String s) {
      PiiType[] all = PiiType.values();
      int[] counts = new int[all.length];
      StringBuilder out = new StringBuilder(s.length());
      int pos = 0;
      for (int k = 0; k < size; k++) {
        out.append(s, pos, starts[k]).append(all[types[k]].placeholder());
        counts[types[k]]++;
        pos = ends[k];
      }
      out.append(s, pos, s.length());
      Map<String, Integer> byKey = new HashMap<>();
      for (PiiType type : all) {
        if (counts[type.ordinal()] > 0) {
          byKey.put(type.key(), counts[type.ordinal()]);
        }
      }
      return new Redaction(out.toString(), Map.copyOf(byKey));
    }
  }
}
