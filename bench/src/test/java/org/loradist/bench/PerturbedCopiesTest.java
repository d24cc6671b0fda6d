package org.loradist.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.loradist.pipelines.dedup.Jaccard;
import org.loradist.pipelines.dedup.Shingler;

class PerturbedCopiesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void copiesHaveNewIdsAndAreFarFromTheOriginalAndFromEachOther() throws Exception {
    List<String> lines;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
        Files.newInputStream(Path.of("../../shared/data/debian-packages/dev.jsonl.gz"))), StandardCharsets.UTF_8))) {
      lines = r.lines().limit(400).toList();
    }
    PerturbedCopies copies = new PerturbedCopies(lines, "package", "description", "source", 7L);
    List<String> one = copies.copy(1);
    List<String> two = copies.copy(2);
    assertThat(copies.copy(1)).isEqualTo(one); // seeded: same copy every time

    Set<String> ids = new HashSet<>();
    int compared = 0;
    for (int i = 0; i < lines.size(); i++) {
      JsonNode original = JSON.readTree(lines.get(i));
      JsonNode a = JSON.readTree(one.get(i));
      JsonNode b = JSON.readTree(two.get(i));
      ids.add(original.get("package").asText());
      ids.add(a.get("package").asText());
      ids.add(b.get("package").asText());
      assertThat(a.get("section")).isEqualTo(original.get("section"));
      String text = original.get("description").asText();
      if (Shingler.words(text).size() < 20) {
        continue; // a handful of words: a few coin flips decide, no statement about the Jaccard
      }
      compared++;
      assertThat(Shingler.words(a.get("description").asText())).hasSameSizeAs(Shingler.words(text));
      assertThat(jaccard(text, a.get("description").asText())).as("copy 1 of %s", original.get("package")).isLessThan(0.5);
      assertThat(jaccard(a.get("description").asText(), b.get("description").asText())).isLessThan(0.5);
    }
    assertThat(ids).hasSize(3 * lines.size());
    assertThat(compared).isGreaterThan(200);
  }

  private static double jaccard(String a, String b) {
    return Jaccard.of(Shingler.hashedShingles(a, 3, 42L), Shingler.hashedShingles(b, 3, 42L));
  }
}
