package org.loradist.pipelines.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.pipelines.Schemas;
import scala.collection.JavaConverters;

class TextChunkerTest {
  private static SparkSession spark;
  private static Map<String, String> docs;

  @BeforeAll
  static void start() throws Exception {
    spark = SparkSession.builder().master("local[2]").appName("TextChunkerTest")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    docs = new HashMap<>();
    Map<String, String> pages = PgManual.pages(n -> n.equals("sql-select.html") || n.equals("pgbench.html")
        || n.equals("datatype-json.html"));
    pages.forEach((name, text) -> docs.put("pg/" + name, text));
    Fixtures.debianDescriptions(40).forEach((name, text) -> docs.put("deb/" + name, text));
    docs.put("adv/windows", Fixtures.adversarial().get("windows line endings"));
    docs.put("adv/emoji", Fixtures.adversarial().get("emoji and surrogate pairs"));
    docs.put("adv/blank", "  \n ");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Dataset<Row> docsFrame(int partitions) {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, String> d : docs.entrySet()) {
      Map<String, String> meta = Map.of("origin", d.getKey().substring(0, d.getKey().indexOf('/')));
      rows.add(RowFactory.create(d.getKey(), "src/" + d.getKey(), null, d.getValue(), "en",
          JavaConverters.mapAsScalaMap(meta), d.getValue().length(), "hash-" + d.getKey()));
    }
    return spark.createDataFrame(rows, Schemas.DOCS).repartition(partitions);
  }

  @Test
  void chunksFollowTheContractAndMatchThePlainChunker() {
    int loadsBefore = TokenizerCache.loads();
    Dataset<Row> chunks = new TextChunker().transform(docsFrame(4));
    assertThat(chunks.schema()).isEqualTo(Schemas.CHUNKS);
    List<Row> rows = chunks.collectAsList();
    assertThat(TokenizerCache.loads() - loadsBefore).as("tokenizer loads in this JVM").isLessThanOrEqualTo(1);

    Map<String, List<Row>> byDoc = new HashMap<>();
    for (Row r : rows) {
      byDoc.computeIfAbsent(r.getAs("doc_id"), k -> new ArrayList<>()).add(r);
    }
    assertThat(byDoc).doesNotContainKey("adv/blank");
    assertThat(byDoc.keySet()).hasSize(docs.size() - 1);
    Chunker plain = Chunker.cached(null, ChunkConfig.defaults());
    for (Map.Entry<String, List<Row>> e : byDoc.entrySet()) {
      String text = docs.get(e.getKey());
      List<Row> got = new ArrayList<>(e.getValue());
      got.sort((a, b) -> Integer.compare(a.getAs("ordinal"), b.getAs("ordinal")));
      List<Chunk> expected = plain.chunk(text);
      assertThat(got).hasSize(expected.size());
      for (int i = 0; i < got.size(); i++) {
        Row r = got.get(i);
        Chunk c = expected.get(i);
        int start = r.getAs("start_char");
        int end = r.getAs("end_char");
        assertThat(text.substring(start, end)).isEqualTo(r.<String>getAs("text"));
        assertThat(r.<String>getAs("chunk_id")).isEqualTo(e.getKey() + "#" + i);
        assertThat(r.<Integer>getAs("ordinal")).isEqualTo(c.ordinal());
        assertThat(r.<Integer>getAs("n_tokens")).isEqualTo(c.nTokens()).isLessThanOrEqualTo(254);
        assertThat(start).isEqualTo(c.startChar());
        assertThat(JavaConverters.seqAsJavaList(r.<scala.collection.Seq<String>>getAs("headings")))
            .isEqualTo(c.headings());
        assertThat(JavaConverters.mapAsJavaMap(r.<scala.collection.Map<String, String>>getAs("meta")))
            .containsEntry("origin", e.getKey().substring(0, e.getKey().indexOf('/')));
      }
    }
    assertThat(byDoc.get("pg/sql-select.html").size()).isGreaterThan(10);
  }

  @Test
  void partitioningDoesNotChangeTheOutput() {
    TextChunker chunker = new TextChunker().setMaxTokens(96).setOverlapTokens(16);
    List<Row> one = chunker.transform(docsFrame(1)).orderBy("chunk_id").collectAsList();
    List<Row> five = chunker.transform(docsFrame(5)).orderBy("chunk_id").collectAsList();
    assertThat(five).isEqualTo(one);
    assertThat(one).allSatisfy(r -> assertThat(r.<Integer>getAs("n_tokens")).isLessThanOrEqualTo(94));
  }

  @Test
  void inputWithoutMetaAndWithOtherColumnNames() {
    List<Row> rows = List.of(RowFactory.create("a", "# Title\n\nSome body text here."),
        RowFactory.create("b", "Another document."));
    Dataset<Row> in = spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType()
        .add("key", "string").add("body", "string"));
    List<Row> out = new TextChunker().setIdCol("key").setTextCol("body").transform(in).orderBy("chunk_id")
        .collectAsList();
    assertThat(out).extracting(r -> r.<String>getAs("chunk_id")).containsExactly("a#0", "b#0");
    assertThat(out.get(0).<Object>getAs("meta")).isNull();
    assertThat(JavaConverters.seqAsJavaList(out.get(0).<scala.collection.Seq<String>>getAs("headings")))
        .containsExactly("Title");
  }

  @Test
  void badColumnsAndConfigAreRefusedWithAClearMessage() {
    Dataset<Row> in = docsFrame(1);
    assertThatThrownBy(() -> new TextChunker().setTextCol("body").transform(in))
        .hasMessageContaining("textCol column 'body' is not in the input").hasMessageContaining("doc_id");
    assertThatThrownBy(() -> new TextChunker().setIdCol("chars").transform(in))
        .hasMessageContaining("'chars' must be a string");
    assertThatThrownBy(() -> new TextChunker().setMaxTokens(32).setOverlapTokens(20).transform(in))
        .hasMessageContaining("overlapTokens");
    assertThatThrownBy(() -> new TextChunker().setTokenizerPath("/nope/tokenizer.json").transform(in))
        .hasMessageContaining("/nope/tokenizer.json");
  }

  @Test
  void paramsSurviveSaveAndLoad(@TempDir Path dir) throws Exception {
    TextChunker chunker = new TextChunker().setMaxTokens(128).setOverlapTokens(8).setTextCol("body");
    chunker.save(dir.resolve("stage").toString());
    TextChunker loaded = TextChunker.load(dir.resolve("stage").toString());
    assertThat(loaded.uid()).isEqualTo(chunker.uid());
    assertThat(loaded.getMaxTokens()).isEqualTo(128);
    assertThat(loaded.getOverlapTokens()).isEqualTo(8);
    assertThat(loaded.getTextCol()).isEqualTo("body");
    assertThat(loaded.getTokenizerPath()).isNull();
  }
}
