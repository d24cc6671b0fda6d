package org.loradist.jobs.serve;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes {@code embeddings} and {@code chunks} folders as the jobs do (Spark's Parquet layout for the contracts'
 * schemas: 3-level lists; DIR/_SUCCESS beside DIR/embeddings/_SUCCESS) with parquet-hadoop, so tests need no Spark
 * session; and reads Debian package records from the shared data.
 */
public final class ParquetFixtures {
  private static final MessageType EMBEDDINGS = MessageTypeParser.parseMessageType("message spark_schema {\n"
      + "  required binary chunk_id (STRING);\n"
      + "  required group embedding (LIST) { repeated group list { required float element; } }\n"
      + "  required binary model (STRING);\n"
      + "  optional binary adapter (STRING);\n"
      + "}");
  private static final MessageType CHUNKS = MessageTypeParser.parseMessageType("message spark_schema {\n"
      + "  required binary chunk_id (STRING);\n"
      + "  required binary doc_id (STRING);\n"
      + "  required int32 ordinal;\n"
      + "  required binary text (STRING);\n"
      + "  required int32 start_char;\n"
      + "  required int32 end_char;\n"
      + "  required int32 n_tokens;\n"
      + "  optional group headings (LIST) { repeated group list { required binary element (STRING); } }\n"
      + "}");

  /** A Debian package from the shared data: synopsis (the query) and description (the passage). */
  public record Package(String name, String section, String synopsis, String description) {}

  public record ChunkRow(String chunkId, String docId, String text, List<String> headings) {}

  private ParquetFixtures() {}

  /** The first {@code n} dev packages with a description not seen before (siblings often share one). */
  public static List<Package> debianDev(int n) throws IOException {
    Path file = Path.of("../../shared/data/debian-packages/dev.jsonl.gz");
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("test data not found: " + file.toAbsolutePath()
          + " (the repository's checkout needs shared/ beside it)");
    }
    List<Package> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
        StandardCharsets.UTF_8))) {
      String line;
      while (out.size() < n && (line = in.readLine()) != null) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        String description = o.get("description").getAsString();
        if (description.isBlank() || !seen.add(description)) {
          continue;
        }
        out.add(new Package(o.get("package").getAsString(), o.get("section").getAsString(),
            o.get("synopsis").getAsString(), description));
      }
    }
    return out;
  }

  /** An embed-job output folder: {@code dir/embeddings/part-*.parquet}, {@code _SUCCESS} in both. */
  public static void writeEmbeddings(Path dir, List<String> chunkIds, float[][] vectors, String model, String adapter)
      throws IOException {
    Path data = dir.resolve("embeddings");
    Files.createDirectories(data);
    SimpleGroupFactory groups = new SimpleGroupFactory(EMBEDDINGS);
    try (ParquetWriter<Group> w = writer(data.resolve("part-00000.parquet"), EMBEDDINGS)) {
      for (int i = 0; i < chunkIds.size(); i++) {
        Group g = groups.newGroup().append("chunk_id", chunkIds.get(i)).append("model", model);
        Group list = g.addGroup("embedding");
        for (float x : vectors[i]) {
          list.addGroup("list").append("element", x);
        }
        if (adapter != null) {
          g.append("adapter", adapter);
        }
        w.write(g);
      }
    }
    Files.createFile(data.resolve("_SUCCESS"));
    Files.createFile(dir.resolve("_SUCCESS"));
  }

  /** A prep-output-like folder: {@code dir/chunks/part-*.parquet}, {@code _SUCCESS} in both. */
  public static void writeChunks(Path dir, List<ChunkRow> rows) throws IOException {
    Path data = dir.resolve("chunks");
    Files.createDirectories(data);
    SimpleGroupFactory groups = new SimpleGroupFactory(CHUNKS);
    try (ParquetWriter<Group> w = writer(data.resolve("part-00000.parquet"), CHUNKS)) {
      for (ChunkRow r : rows) {
        Group g = groups.newGroup().append("chunk_id", r.chunkId()).append("doc_id", r.docId()).append("ordinal", 0)
            .append("text", r.text()).append("start_char", 0).append("end_char", r.text().length())
            .append("n_tokens", 0);
        Group headings = g.addGroup("headings");
        for (String h : r.headings()) {
          headings.addGroup("list").append("element", h);
        }
        w.write(g);
      }
    }
    Files.createFile(data.resolve("_SUCCESS"));
    Files.createFile(dir.resolve("_SUCCESS"));
  }

  private static ParquetWriter<Group> writer(Path file, MessageType schema) throws IOException {
    return ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri())).withType(schema)
        .withConf(new Configuration()).build();
  }
}
