package org.loradist.pipelines.clean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The debian-packages corpus from ../../shared/data (beside the checkout; see COMMON rules), for tests. */
final class DebianData {
  private DebianData() {}

  record Package(String name, String section, String synopsis, String description, long line) {}

  static Path file(String split) {
    Path path = Path.of("../../shared/data/debian-packages", split + ".jsonl.gz").toAbsolutePath().normalize();
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException("test data missing: " + path + " (the shared data folder must sit beside"
          + " the checkout, see shared/data/README.md)");
    }
    return path;
  }

  /** The first {@code limit} packages of a split, in file order. */
  static List<Package> load(String split, int limit) {
    Path path = file(split);
    ObjectMapper json = new ObjectMapper();
    List<Package> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(path)), StandardCharsets.UTF_8))) {
      String line;
      long lineNo = 0;
      while ((line = in.readLine()) != null && out.size() < limit) {
        lineNo++;
        JsonNode node = json.readTree(line);
        out.add(new Package(node.get("package").asText(), node.get("section").asText(),
            node.get("synopsis").asText(), node.get("description").asText(), lineNo));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path, e);
    }
    return out;
  }
}
