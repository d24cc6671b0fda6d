package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.output.Manifest;

/** Reads and checks a prep output folder the way a downstream user would. */
final class PrepOutputs {
  private PrepOutputs() {}

  static Map<String, Object> manifest(Path out) throws Exception {
    assertThat(out.resolve("_SUCCESS")).exists();
    return Manifest.read(Files.readString(out.resolve("_manifest.json")));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> counts(Path out) throws Exception {
    return (Map<String, Object>) manifest(out).get("counts");
  }

  static long count(Map<String, Object> counts, String key) {
    return ((Number) counts.get(key)).longValue();
  }

  /** Every chunk's text is exactly its document's text between start_char and end_char. */
  static void assertChunksLocateTheirText(SparkSession spark, Path out) {
    Dataset<Row> docs = spark.read().parquet(out.resolve("docs").toString()).select("doc_id", "text")
        .withColumnRenamed("text", "doc_text");
    Dataset<Row> chunks = spark.read().parquet(out.resolve("chunks").toString());
    List<Row> joined = chunks.join(docs, "doc_id").select("chunk_id", "text", "doc_text", "start_char", "end_char")
        .collectAsList();
    assertThat(joined).hasSize((int) chunks.count());
    for (Row r : joined) {
      String doc = r.getString(2);
      assertThat(doc.substring(r.getInt(3), r.getInt(4))).as(r.getString(0)).isEqualTo(r.getString(1));
    }
  }

  /** Sorted rows of a part, as strings: equal outputs compare equal regardless of file layout. */
  static List<String> rows(SparkSession spark, Path out, String part, String... columns) {
    Dataset<Row> ds = spark.read().parquet(out.resolve(part).toString());
    return ds.selectExpr(columns).collectAsList().stream().map(Row::toString).sorted().toList();
  }
}
