package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.model.TextEmbedder;
import org.loradist.pipelines.Schemas;

/** The embed command on a small chunks folder: vectors equal the in-process embedder's, blanks are rejected. */
class EmbedJobTest {
  @TempDir Path dir;

  @Test
  void embedsChunksAndRejectsBlankOnes() throws Exception {
    List<String> texts = List.of(
        "PostgreSQL is an object-relational database management system.",
        "2vcard converts address books and alias files into the vCard format.",
        "Ein kurzer deutscher Satz über Datenbanken und Indizes.",
        "   ",
        "x");
    Path chunks = dir.resolve("chunks");
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        rows.add(RowFactory.create("d" + i + "#0", "d" + i, 0, texts.get(i), 0, texts.get(i).length(), 3, List.of(),
            Map.of()));
      }
      spark.createDataFrame(rows, Schemas.CHUNKS).repartition(2).write().parquet(chunks.toString());

      Path out = dir.resolve("embedded");
      MainTest.Result r = MainTest.run("embed", "--chunks", chunks.toString(), "--output", out.toString());
      assertThat(r.code()).as(r.err()).isZero();
      Map<String, Object> counts = PrepOutputs.counts(out);
      assertThat(PrepOutputs.count(counts, "embeddings")).isEqualTo(4);
      assertThat(PrepOutputs.count(counts, "rejected")).isEqualTo(1);

      List<Row> embedded = spark.read().parquet(out.resolve("embeddings").toString()).orderBy("chunk_id").collectAsList();
      assertThat(embedded).extracting(row -> row.getString(0)).containsExactly("d0#0", "d1#0", "d2#0", "d4#0");
      assertThat(embedded).allSatisfy(row -> {
        assertThat(row.<String>getAs("model")).isEqualTo("all-MiniLM-L6-v2");
        assertThat(row.isNullAt(row.fieldIndex("adapter"))).isTrue();
      });
      try (TextEmbedder reference = TextEmbedder.forModel("default", TextEmbedder.Options.defaults())) {
        float[][] expected = reference.embed(List.of(texts.get(0), texts.get(1), texts.get(2), texts.get(4)));
        for (int i = 0; i < expected.length; i++) {
          List<Float> got = embedded.get(i).getList(1);
          assertThat(got).hasSize(384);
          double norm = 0;
          for (int j = 0; j < got.size(); j++) {
            assertThat((double) got.get(j)).isCloseTo(expected[i][j], org.assertj.core.data.Offset.offset(1e-5));
            norm += got.get(j) * got.get(j);
          }
          assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
      }
      Row reject = spark.read().parquet(out.resolve("rejects").toString()).first();
      assertThat(reject.<String>getAs("source")).isEqualTo("d3#0");
      assertThat(reject.<String>getAs("reason")).isEqualTo(EmbedJob.EMPTY_CHUNK);
    } finally {
      spark.stop();
    }
  }

  @Test
  void missingModelDirectoryAndChunksAreNamed() {
    MainTest.Result r = MainTest.run("embed", "--chunks", dir.toString(), "--output", dir.resolve("o").toString(),
        "--model", "/no/such/model");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("model directory not found: /no/such/model");
    r = MainTest.run("embed", "--chunks", "/no/chunks", "--output", dir.resolve("o").toString(), "--precision", "bf16");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("embed.precision");
  }
}
