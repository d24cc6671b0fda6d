package org.loradist.pipelines.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class ShinglerTest {
  /** The split the hand-written scanner replaces: what "a word" meant before, and still must mean. */
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

  private static List<String> regexWords(String text) {
    List<String> out = new ArrayList<>();
    for (String w : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  @Test
  void wordsSplitLikeTheUnicodeRegexOnAwkwardText() {
    List<String> texts = List.of(
        "", "   ", "--", "Hello, World!", "foo_bar baz-qux 3.14 v2", "ÉCOLE Straße İstanbul ΣΊΣΥΦΟΣ",
        "日本語のテキスト", "١٢٣ ٤٥٦ numbers", "Ⅻ roman ² sup ½ half", "e\u0301 combining", "\uD835\uDC00\uD835\uDC01 math",
        "emoji 😀 between", "lone \uD800 surrogate", "tab\tnew\nline\u00a0nbsp", "trailing word");
    for (String t : texts) {
      assertThat(Shingler.words(t)).as(t).isEqualTo(regexWords(t));
    }
  }

  @Test
  void wordsAndShingleHashesAgreeWithTheRegexOnRealDescriptions() throws Exception {
    int checked = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(NearDupBenchmarkTest.DEV)), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null && checked < 2000; line = in.readLine(), checked++) {
        String text = JSON.readTree(line).get("description").asText();
        List<String> expected = regexWords(text);
        assertThat(Shingler.words(text)).isEqualTo(expected);
        assertThat(Shingler.hashedShingles(text, 3, 42)).isEqualTo(referenceHashes(expected, 3, 42));
      }
    }
    assertThat(checked).isEqualTo(2000);
  }

  @Test
  void shingleHashesAreOrderSensitiveAndSeeded() {
    assertThat(Shingler.hashedShingles("a b c", 3, 1)).isNotEqualTo(Shingler.hashedShingles("c b a", 3, 1));
    assertThat(Shingler.hashedShingles("a b c", 3, 1)).isNotEqualTo(Shingler.hashedShingles("a b c", 3, 2));
    assertThat(Shingler.hashedShingles("A, b; C!", 3, 1)).isEqualTo(Shingler.hashedShingles("a b c", 3, 1));
    assertThat(Shingler.hashedShingles("...", 3, 1)).isEmpty();
    assertThat(Shingler.hashedShingles("a b", 3, 1)).hasSize(1);
  }

  /** The shingle hashes as defined before the scanner: word hashes of the regex words, k at a time. */
  private static long[] referenceHashes(List<String> words, int k, long seed) {
    if (words.isEmpty()) {
      return new long[0];
    }
    int n = Math.max(1, words.size() - k + 1);
    java.util.TreeSet<Long> out = new java.util.TreeSet<>();
    for (int i = 0; i < n; i++) {
      long h = seed ^ 0x9e3779b97f4a7c15L;
      int end = Math.min(words.size(), i + k);
      for (int j = i; j < end; j++) {
        h = Shingler.mix64(h * 31 + Shingler.hashString(words.get(j), seed));
      }
      out.add(Shingler.mix64(h + (end - i)));
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }
}
