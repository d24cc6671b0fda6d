package org.loradist.bench.lora;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.loradist.text.TextTokenizer;

/** The debian-packages split (see shared/data/README.md), read for the LoRA figures. */
record DebianPackages(List<Row> rows) {
  record Row(String pkg, String section, String synopsis, String description) {
    /** Synopsis and description as one training text. */
    String text() {
      return synopsis + ". " + description;
    }
  }

  static DebianPackages read(Path file) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
        StandardCharsets.UTF_8))) {
      int line = 0;
      for (String s = in.readLine(); s != null; s = in.readLine()) {
        line++;
        JsonObject o = JsonParser.parseString(s).getAsJsonObject();
        if (!o.has("description") || !o.has("section") || !o.has("synopsis")) {
          throw new IOException(file + ":" + line + ": missing description, section or synopsis");
        }
        rows.add(new Row(o.get("package").getAsString(), o.get("section").getAsString(),
            o.get("synopsis").getAsString(), o.get("description").getAsString()));
      }
    }
    return new DebianPackages(rows);
  }

  /** The {@code k} most frequent sections of this split, most frequent first. */
  List<String> topSections(int k) {
    Map<String, Integer> counts = new HashMap<>();
    rows.forEach(r -> counts.merge(r.section(), 1, Integer::sum));
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(k).map(Map.Entry::getKey).toList();
  }

  /** A seeded sample of at most {@code n} rows whose section is in {@code sections} (all rows when null). */
  List<Row> sample(List<String> sections, int n, long seed) {
    List<Row> pool = new ArrayList<>();
    for (Row r : rows) {
      if (sections == null || sections.contains(r.section())) {
        pool.add(r);
      }
    }
    pool.sort(Comparator.comparing(Row::pkg));
    Collections.shuffle(pool, new Random(seed));
    return pool.subList(0, Math.min(n, pool.size()));
  }

  /**
   * The first {@code n} of {@code candidates} whose {@link Row#text} still fills {@code maxTokens} ([CLS]/[SEP]
   * included) after truncation, so that every batch of them is batch x maxTokens tokens; fewer when they run out.
   */
  static List<Row> fillingMaxTokens(List<Row> candidates, int n, int maxTokens) {
    List<Row> picked = new ArrayList<>();
    try (TextTokenizer tok = TextTokenizer.defaultModel(maxTokens)) {
      for (Row r : candidates) {
        if (picked.size() == n) {
          break;
        }
        if (tok.countContentTokens(r.text()) >= maxTokens + 2) {
          picked.add(r);
        }
      }
    }
    return picked;
  }
}
