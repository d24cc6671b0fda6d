package org.loradist.pipelines.chunk;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/** Texts the chunking tests run on: real ones from ../../shared/data and generated adversarial ones. */
final class Fixtures {
  static final Path DEBIAN_DEV = Path.of("../../shared/data/debian-packages/dev.jsonl.gz");

  private Fixtures() {}

  /** package name -> description of the first {@code limit} rows of the debian-packages dev split. */
  static Map<String, String> debianDescriptions(int limit) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(DEBIAN_DEV)), StandardCharsets.UTF_8))) {
      String line;
      while (out.size() < limit && (line = in.readLine()) != null) {
        JsonObject row = JsonParser.parseString(line).getAsJsonObject();
        out.put(row.get("package").getAsString(), row.get("description").getAsString());
      }
    }
    return out;
  }

  /** A sample of PostgreSQL manual pages (about one in sixteen, chosen by name so the choice is stable). */
  static Map<String, String> pgSample() throws IOException {
    return PgManual.pages(name -> Math.floorMod(name.hashCode(), 16) == 0 || name.equals("sql-select.html"));
  }

  /** name -> generated text that stresses one edge of the chunker. */
  static Map<String, String> adversarial() {
    Map<String, String> out = new LinkedHashMap<>();
    Random random = new Random(42);
    out.put("empty", "");
    out.put("whitespace only", " \n\n\t \r\n ");
    out.put("emoji and surrogate pairs", repeat("Emoji 😀 test 👨‍👩‍👧 family 🇩🇪 flag 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math 🙂🙃😉 stuck"
        + "together😀😀😀. ", 120));
    out.put("cjk without spaces", repeat("中文文本没有空格也需要被切分成小块。日本語のテキストもスペースがありません。"
        + "한국어 텍스트는 띄어쓰기가 있습니다。", 60));
    out.put("5000-char word", "Before the long word. " + "x".repeat(5000) + " After the long word.");
    out.put("5000-char punctuated word", "Start " + repeat("ab.cd/", 834) + " end of it.");
    out.put("5000-char url", "See https://example.org/" + repeat("segment-", 625) + " for details.");
    out.put("no punctuation", words(random, 3000, false));
    out.put("no punctuation no newlines lowercase", words(random, 2000, false).replace('\n', ' '));
    out.put("only headings", repeat("# Title\n## Sub heading\n### Deeper heading\n", 80));
    out.put("empty sections", "# A\n\n## B\n\n## C\nText under C.\n\n# D\n\n# E\n\nText under E. " + words(random, 400, true)
        + "\n\n# F\n");
    out.put("windows line endings", ("# Heading\r\n\r\nFirst paragraph line one.\r\nLine two.\r\n\r\n"
        + "## Sub\r\n\r\n" + words(random, 600, true).replace("\n", "\r\n") + "\r\n"));
    out.put("fence with hash lines", "# Real heading\n\nIntro text.\n\n```bash\n# not a heading\n## also not\n"
        + repeat("echo line\n", 300) + "```\n\n## After fence\n\nMore text here. " + words(random, 300, true)
        + "\n\n~~~\n# tilde fenced, not a heading\n~~~\n\n### Deep\n\nEnd.");
    out.put("unclosed fence", "# Top\n\n```\n# inside forever\n" + words(random, 500, true));
    out.put("special tokens in text", "Literal [CLS] and [SEP] and [MASK] and [UNK] in text. " + words(random, 400, true));
    out.put("control and format characters", "zero\u200bwidth joiner\u200d text soft\u00adhyphen nul\u0000byte"
        + " bell\u0007 vt\u000b ff\u000c " + repeat("word\u200b ", 400) + " \u200d \u0301 end.");
    out.put("accents and odd letters", repeat("Café naïve résumé İstanbul ǅemal ŉ ẞtraße Ωmega ﬁne ﬀ ㎏ ① ", 100));
    out.put("long lines of numbers", repeat("12345678901234567890 3.14159 1,000,000 0xDEADBEEF\n", 200));
    out.put("deep heading levels", "# One\ntext one\n## Two\ntext two\n### Three\ntext three\n#### Four\ntext four\n"
        + "##### Five\ntext five\n###### Six\ntext six\n####### Seven is not a heading\n## Back to two\ntext\n"
        + "#NoSpace is not a heading\n   # Indented three is a heading\n    # indented four is not\nend");
    out.put("lone carriage returns", repeat("Old Mac line.\rAnother line.\r\r", 200));
    return out;
  }

  static String repeat(String s, int times) {
    return s.repeat(times);
  }

  /** Random words; with punctuation, sentences end with '.' and paragraphs are separated by blank lines. */
  static String words(Random random, int count, boolean punctuation) {
    String[] vocab = {"the", "database", "server", "query", "index", "transaction", "table", "row", "column",
        "replication", "vacuum", "lock", "planner", "statistics", "memory", "buffer", "checkpoint", "wal",
        "autovacuum", "partition", "extension", "function", "trigger", "sequence", "schema", "role"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      String w = vocab[random.nextInt(vocab.length)];
      boolean sentenceStart = punctuation && (i == 0 || sb.charAt(sb.length() - 2) == '.');
      sb.append(sentenceStart ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
      if (punctuation && random.nextInt(12) == 0) {
        sb.append('.');
        sb.append(random.nextInt(6) == 0 ? "\n\n" : " ");
      } else {
        sb.append(random.nextInt(15) == 0 ? "\n" : " ");
      }
    }
    return sb.toString();
  }

  static List<String> all(Map<String, String> m) {
    return new ArrayList<>(m.values());
  }
}
