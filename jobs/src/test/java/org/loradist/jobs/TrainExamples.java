package org.loradist.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Small jsonl slices of ../../shared/data/debian-packages for the train tests. */
final class TrainExamples {
  static final ObjectMapper JSON = new ObjectMapper();

  private TrainExamples() {}

  /**
   * Up to {@code perSection} packages of each of {@code sections}, from the start of a split, as jsonl lines with
   * package, section, synopsis and description.
   */
  static List<String> lines(String split, List<String> sections, int perSection) throws IOException {
    Path file = Path.of("../../shared/data/debian-packages", split + ".jsonl.gz").toAbsolutePath().normalize();
    Map<String, Integer> taken = new HashMap<>();
    List<String> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null && out.size() < sections.size() * perSection;
          line = in.readLine()) {
        JsonNode n = JSON.readTree(line);
        String section = n.get("section").asText();
        if (sections.contains(section) && taken.merge(section, 1, Integer::sum) <= perSection) {
          ObjectNode o = JSON.createObjectNode();
          for (String f : List.of("package", "section", "synopsis", "description")) {
            o.set(f, n.get(f));
          }
          out.add(JSON.writeValueAsString(o));
        }
      }
    }
    return out;
  }

  static Path write(Path file, List<String> lines) throws IOException {
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }
}
