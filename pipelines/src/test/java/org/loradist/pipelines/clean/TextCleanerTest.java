package org.loradist.pipelines.clean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loradist.pipelines.Schemas;
import scala.collection.JavaConverters;

/** TextCleaner on a slice of the real debian dev split plus hand-made rows for each outcome, in local[2] Spark. */
class TextCleanerTest {
  private static SparkSession spark;
  private static List<DebianData.Package> packages;
  private static Dataset<Row> input;
  /** The default stage's output, computed once (the machine is shared: keep Spark jobs few). */
  private static Dataset<Row> cleaned;
  private static Map<String, Row> cleanedById;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("TextCleanerTest")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    packages = DebianData.load("dev", 300);
    List<Row> rows = new ArrayList<>();
    for (DebianData.Package p : packages) {
      rows.add(record(p.name(), p.line(), p.synopsis(), p.description(), null));
    }
    // One row per outcome the stage has, besides the ordinary kept documents.
    rows.add(record("pii", 9001, "contact", "Written by Jane Roe <jane.roe@example.org>, phone +49 30 1234567.\n\n"
        + "Server at 192.168.10.20, card 4111 1111 1111 1111.", null));
    rows.add(record("short", 9002, null, "tiny", null));
    rows.add(record("symbols", 9003, null, "|Build Status| |Pypi Status| |Coverage| ==== #### $$$$ @@@@", null));
    rows.add(record("already-rejected", 9004, null, "Some text that a reader refused.", "read:invalid_json"));
    rows.add(record("null-text", 9005, null, null, null));
    input = spark.createDataFrame(rows, Schemas.RECORDS).repartition(3).cache();
    cleaned = new TextCleaner().transform(input).cache();
    cleanedById = byId(cleaned);
  }

  private static Row record(String id, long position, String title, String text, String reject) {
    Map<String, String> meta = new HashMap<>();
    meta.put("section", "test");
    return RowFactory.create(id, "dev.jsonl.gz", position, title, text,
        JavaConverters.mapAsScalaMap(meta), reject, reject == null ? null : "sample bytes");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Map<String, Row> byId(Dataset<Row> out) {
    Map<String, Row> rows = new HashMap<>();
    for (Row r : out.collectAsList()) {
      rows.put(r.getAs("doc_id"), r);
    }
    return rows;
  }

  @Test
  void schemaAddsCharsHashAndPiiAndKeepsEveryInputColumn() {
    StructType out = new TextCleaner().transformSchema(Schemas.RECORDS);
    assertThat(out.fieldNames()).startsWith(Schemas.RECORDS.fieldNames());
    assertThat(out.apply("chars").dataType()).isEqualTo(DataTypes.IntegerType);
    assertThat(out.apply("content_hash").dataType()).isEqualTo(DataTypes.StringType);
    assertThat(out.apply("pii").dataType())
        .isEqualTo(DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType, false));
  }

  @Test
  void realDescriptionsAreCleanedHashedAndKept() {
    Map<String, Row> out = cleanedById;
    assertThat(out).hasSize(packages.size() + 5);
    DocumentCleaner local = new DocumentCleaner(CleanerSettings.DEFAULTS);
    for (DebianData.Package p : packages) {
      Row r = out.get(p.name());
      CleanedDocument expected = local.clean(p.description());
      assertThat((String) r.getAs("reject_reason")).as(p.name()).isNull();
      assertThat((String) r.getAs("text")).as(p.name()).isEqualTo(expected.text());
      assertThat((Integer) r.getAs("chars")).isEqualTo(expected.text().length());
      assertThat((String) r.getAs("content_hash")).isEqualTo(ContentHash.of(expected.text()));
      assertThat(r.getJavaMap(r.fieldIndex("pii"))).isEqualTo(expected.pii());
      // Pass-through columns are untouched.
      assertThat((String) r.getAs("title")).isEqualTo(p.synopsis());
      assertThat((Long) r.getAs("position")).isEqualTo(p.line());
      assertThat(r.getJavaMap(r.fieldIndex("meta"))).containsEntry("section", "test");
    }
  }

  @Test
  void eachOutcomeRowIsHandled() {
    Map<String, Row> out = cleanedById;

    Row pii = out.get("pii");
    assertThat((String) pii.getAs("text")).isEqualTo("Written by Jane Roe <[EMAIL]>, phone [PHONE].\n\n"
        + "Server at [IPV4], card [CARD].");
    assertThat(pii.<String, Integer>getJavaMap(pii.fieldIndex("pii")))
        .isEqualTo(Map.of("email", 1, "phone", 1, "ipv4", 1, "card", 1));
    assertThat((String) pii.getAs("reject_reason")).isNull();

    Row shortRow = out.get("short");
    assertThat((String) shortRow.getAs("reject_reason")).isEqualTo(QualityFilter.TOO_SHORT);
    assertThat((String) shortRow.getAs("sample")).isEqualTo("tiny");
    assertThat((String) shortRow.getAs("content_hash")).isNull();
    assertThat((Integer) shortRow.getAs("chars")).isEqualTo(4);

    assertThat((String) out.get("symbols").getAs("reject_reason")).isEqualTo(QualityFilter.SYMBOL_RATIO);

    Row rejected = out.get("already-rejected");
    assertThat((String) rejected.getAs("reject_reason")).isEqualTo("read:invalid_json");
    assertThat((String) rejected.getAs("text")).isEqualTo("Some text that a reader refused.");
    assertThat((String) rejected.getAs("sample")).isEqualTo("sample bytes");
    assertThat(rejected.isNullAt(rejected.fieldIndex("chars"))).isTrue();
    assertThat(rejected.isNullAt(rejected.fieldIndex("content_hash"))).isTrue();
    assertThat(rejected.isNullAt(rejected.fieldIndex("pii"))).isTrue();

    assertThat((String) out.get("null-text").getAs("reject_reason")).isEqualTo(TextCleaner.NULL_TEXT);
  }

  @Test
  void summaryCountsAddUpAndSumPii() {
    CleanSummary summary = TextCleaner.summarize(cleaned);
    assertThat(summary.rows()).isEqualTo(cleanedById.size());
    assertThat(summary.rejectsByReason()).isEqualTo(Map.of(
        QualityFilter.TOO_SHORT, 1L, QualityFilter.SYMBOL_RATIO, 1L, "read:invalid_json", 1L,
        TextCleaner.NULL_TEXT, 1L));
    assertThat(summary.kept()).isEqualTo(packages.size() + 1);
    // The dev slice's own PII plus the hand-made row's four.
    DocumentCleaner local = new DocumentCleaner(CleanerSettings.DEFAULTS);
    Map<String, Long> expected = new HashMap<>();
    for (PiiType t : PiiType.values()) {
      expected.put(t.key(), 0L);
    }
    for (DebianData.Package p : packages) {
      local.clean(p.description()).pii().forEach((k, v) -> expected.merge(k, (long) v, Long::sum));
    }
    for (String k : List.of("email", "phone", "ipv4", "card")) {
      expected.merge(k, 1L, Long::sum);
    }
    assertThat(summary.piiCounts()).isEqualTo(expected);
  }

  @Test
  void paramsSwitchFeaturesOff() {
    TextCleaner cleaner = new TextCleaner().setRedactTypes(EnumSet.of(PiiType.IPV4)).setFilterQuality(false);
    Map<String, Row> out = byId(cleaner.transform(input));
    assertThat((String) out.get("pii").getAs("text")).contains("jane.roe@example.org", "[IPV4]", "4111 1111");
    assertThat((String) out.get("short").getAs("reject_reason")).isNull();
    assertThat((String) out.get("short").getAs("content_hash")).isEqualTo(ContentHash.of("tiny"));
  }

  @Test
  void savedAndLoadedWithItsParams(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    TextCleaner cleaner = new TextCleaner().setRedact(PiiType.PHONE, false).setMinWords(7).setMaxSymbolRatio(0.3);
    Path path = dir.resolve("cleaner");
    cleaner.write().save(path.toString());
    assertThat(Files.isDirectory(path.resolve("metadata"))).isTrue();
    TextCleaner loaded = TextCleaner.load(path.toString());
    assertThat(loaded.uid()).isEqualTo(cleaner.uid());
    assertThat(loaded.getSettings()).isEqualTo(cleaner.getSettings());
    assertThat(loaded.getQuality().minWords()).isEqualTo(7);
    assertThat(loaded.getSettings().redact()).doesNotContain(PiiType.PHONE).contains(PiiType.EMAIL);
  }

  @Test
  void badInputSchemaOrParamsFailWithAClearMessage() {
    Dataset<Row> noText = input.drop("text");
    assertThatThrownBy(() -> new TextCleaner().transform(noText))
        .hasMessageContaining("no column 'text'");
    assertThatThrownBy(() -> new TextCleaner().transform(cleaned))
        .hasMessageContaining("already has a column 'chars'");
    assertThatThrownBy(() -> new TextCleaner().setMinAlphaRatio(2.0))
        .hasMessageContaining("minAlphaRatio");
    TextCleaner contradictory = new TextCleaner().setMinChars(100).setMaxChars(10);
    assertThatThrownBy(() -> contradictory.transform(input)).hasMessageContaining("maxChars = 10");
  }
}
