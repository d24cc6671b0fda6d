package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prep command end to end on the quickstart corpus and on bad input, through the CLI entry point. */
class PrepJobTest {
  @TempDir static Path dir;
  static Path first;
  static Path second;
  static MainTest.Result firstRun;
  static SparkSession reader;
  /** conf/quickstart.conf's inputs, relative to this module's folder where the tests run. */
  static final String QUICKSTART_INPUT = "../samples/quickstart/debian-packages.jsonl.gz,../samples/quickstart/html";

  @BeforeAll
  static void runQuickstartTwice() {
    first = dir.resolve("first");
    second = dir.resolve("second");
    firstRun = MainTest.run("prep", "--conf", "../conf/quickstart.conf", "--input", QUICKSTART_INPUT,
        "--master", "local[2]", "--output", first.toString());
    MainTest.run("prep", "--conf", "../conf/quickstart.conf", "--input", QUICKSTART_INPUT, "--master", "local[2]",
        "--output", second.toString());
    reader = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    reader.stop();
  }

  @Test
  void quickstartCountsAddUpAndChunksLocateTheirText() throws Exception {
    assertThat(firstRun.code()).as(firstRun.err()).isZero();
    assertThat(firstRun.out()).contains("lora-dist prep: 412 records");
    Map<String, Object> counts = PrepOutputs.counts(first);
    long in = PrepOutputs.count(counts, "records_in");
    assertThat(in).isEqualTo(400 + 12); // 400 jsonl lines, 12 html pages
    assertThat(PrepOutputs.count(counts, "docs") + PrepOutputs.count(counts, "rejected")
        + PrepOutputs.count(counts, "deduplicated")).isEqualTo(in);
    assertThat(PrepOutputs.count(counts, "docs")).isGreaterThan(300);
    assertThat(PrepOutputs.count(counts, "chunks")).isGreaterThanOrEqualTo(PrepOutputs.count(counts, "docs"));
    assertThat(reader.read().parquet(first.resolve("docs").toString()).count())
        .isEqualTo(PrepOutputs.count(counts, "docs"));
    PrepOutputs.assertChunksLocateTheirText(reader, first);
    // html pages keep their heading structure as breadcrumbs
    assertThat(reader.read().parquet(first.resolve("chunks").toString())
        .filter("doc_id not like '%#%' and size(headings) > 0").count()).isGreaterThan(0);
  }

  @Test
  void rerunGivesIdenticalIdsAndRows() {
    assertThat(PrepOutputs.rows(reader, second, "docs", "doc_id", "content_hash", "text"))
        .isEqualTo(PrepOutputs.rows(reader, first, "docs", "doc_id", "content_hash", "text"));
    assertThat(PrepOutputs.rows(reader, second, "chunks", "chunk_id", "start_char", "end_char", "n_tokens"))
        .isEqualTo(PrepOutputs.rows(reader, first, "chunks", "chunk_id", "start_char", "end_char", "n_tokens"));
    assertThat(PrepOutputs.rows(reader, second, "duplicates", "doc_id", "duplicate_of", "kind"))
        .isEqualTo(PrepOutputs.rows(reader, first, "duplicates", "doc_id", "duplicate_of", "kind"));
  }

  @Test
  void badInputIsRejectedWithReasonsAndNothingIsLost() throws Exception {
    Path in = Files.createDirectories(dir.resolve("bad-input"));
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(in.resolve("a.jsonl.gz")))) {
      o.write(("{\"id\":\"1\",\"text\":\"A perfectly fine document about tokenizers and chunking of text.\"}\n"
          + "{\"id\":\"2\",\"text\":\"A perfectly fine document about tokenizers and chunking of text.\"}\n"
          + "{not json\n"
          + "{\"id\":\"3\",\"body\":\"no text field here\"}\n"
          + "{\"id\":\"1\",\"text\":\"Another document that reuses the id of the first record, which is refused.\"}\n"
          + "{\"id\":\"4\",\"text\":\"ok\"}\n").getBytes(StandardCharsets.UTF_8));
    }
    Files.write(in.resolve("blob.txt"), new byte[] {0, 1, 2, 3, 0, 0, 5});
    Files.writeString(in.resolve("empty.md"), "");
    Path out = dir.resolve("bad-out");
    MainTest.Result r = MainTest.run("prep", "--input", in.toString(), "--output", out.toString(),
        "--id-field", "id", "--master", "local[2]");
    assertThat(r.code()).as(r.err()).isZero();
    Map<String, Object> counts = PrepOutputs.counts(out);
    assertThat(PrepOutputs.count(counts, "records_in")).isEqualTo(8);
    assertThat(PrepOutputs.count(counts, "docs")).isEqualTo(1);
    assertThat(PrepOutputs.count(counts, "deduplicated")).isEqualTo(1);
    List<String> reasons = reader.read().parquet(out.resolve("rejects").toString())
        .select("reason").collectAsList().stream().map(row -> row.getString(0)).sorted().toList();
    assertThat(reasons).containsExactly("prep:duplicate_id", "quality:too_short", "read:binary", "read:empty",
        "read:invalid_json", "read:missing_text_field");
    List<Row> located = reader.read().parquet(out.resolve("rejects").toString())
        .filter("reason = 'read:invalid_json'").collectAsList();
    assertThat(located.get(0).<String>getAs("source")).endsWith("a.jsonl.gz");
    assertThat(located.get(0).<Long>getAs("position")).isEqualTo(3L);
  }

  @Test
  void missingInputFailsWithOneLineAndLeavesNoOutput() {
    Path out = dir.resolve("never");
    MainTest.Result r = MainTest.run("prep", "--input", dir.resolve("nothing-here/*.jsonl").toString(),
        "--output", out.toString(), "--master", "local[1]");
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(r.err().strip()).startsWith("lora-dist prep: failed:").contains("nothing-here").doesNotContain("\n");
    assertThat(out).doesNotExist();
    assertThat(dir.toFile().list()).noneMatch(n -> n.startsWith(".staging-never"));
  }
}
