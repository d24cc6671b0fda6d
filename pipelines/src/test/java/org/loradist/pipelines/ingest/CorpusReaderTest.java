package org.loradist.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.pipelines.Schemas;
import org.loradist.pipelines.ingest.ReaderOptions.InvalidUtf8Policy;
import org.loradist.pipelines.ingest.ReaderOptions.TooLongPolicy;

class CorpusReaderTest {
  static final Path DEBIAN_DEV = Path.of("../../shared/data/debian-packages/dev.jsonl.gz");
  static final Path HTML_FIXTURES = Path.of("src/test/resources/html");
  static final ObjectMapper JSON = new ObjectMapper();

  static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = SparkSession.builder()
        .master("local[2]")
        .appName("CorpusReaderTest")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  /** One collected row of RECORDS. */
  record Rec(String docId, String source, long position, String title, String text, Map<String, String> meta,
      String reason, String sample) {
    boolean kept() {
      return reason == null;
    }

    String fileName() {
      return source.substring(source.lastIndexOf('/') + 1);
    }
  }

  static List<Rec> read(List<String> paths, ReaderOptions options) {
    Dataset<Row> records = CorpusReader.read(spark, paths, options);
    assertThat(records.schema()).isEqualTo(Schemas.RECORDS);
    List<Rec> rows = new ArrayList<>();
    for (Row row : records.collectAsList()) {
      rows.add(new Rec(row.getString(0), row.getString(1), row.getLong(2), row.getString(3), row.getString(4),
          new HashMap<>(row.<String, String>getJavaMap(5)), row.getString(6), row.getString(7)));
    }
    rows.sort(Comparator.comparing(Rec::source).thenComparingLong(Rec::position));
    return rows;
  }

  static List<Rec> read(Path path, ReaderOptions options) {
    return read(List.of(path.toString()), options);
  }

  static Map<String, Rec> byFileName(List<Rec> rows) {
    return rows.stream().collect(Collectors.toMap(Rec::fileName, r -> r));
  }

  // ---------------------------------------------------------------- real data

  @Test
  void debianPackagesDevSplitWithItsOwnIdsTitlesAndMeta() throws IOException {
    List<JsonNode> expected = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(DEBIAN_DEV)), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        expected.add(JSON.readTree(line));
      }
    }
    ReaderOptions options = ReaderOptions.defaults()
        .withTextField("description").withIdField("package").withTitleField("synopsis");

    List<Rec> rows = read(DEBIAN_DEV, options);

    assertThat(rows).hasSize(expected.size());
    assertThat(rows).allMatch(Rec::kept);
    for (int i = 0; i < rows.size(); i++) {
      Rec row = rows.get(i);
      JsonNode record = expected.get(i);
      assertThat(row.position()).isEqualTo(i + 1);
      assertThat(row.source()).endsWith("debian-packages/dev.jsonl.gz").startsWith("file:");
      assertThat(row.docId()).isEqualTo(record.get("package").asText());
      assertThat(row.text()).isEqualTo(record.get("description").asText());
      assertThat(row.title()).isEqualTo(record.get("synopsis").asText());
      assertThat(row.meta()).containsEntry("format", "jsonl")
          .containsEntry("section", record.get("section").asText())
          .containsEntry("source", record.get("source").asText())
          .doesNotContainKeys("tags", "description", "package", "synopsis"); // tags is an array, not a scalar
    }
    assertThat(rows.stream().map(Rec::docId).distinct().count()).isEqualTo(rows.size());
  }

  @Test
  void idsWithoutAnIdFieldAreStableHashesAndRerunsAreIdentical(@TempDir Path dir) throws IOException {
    Path slice = dir.resolve("dev-slice.jsonl.gz");
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(DEBIAN_DEV)), StandardCharsets.UTF_8))) {
      String text = lines.lines().limit(300).collect(Collectors.joining("\n", "", "\n"));
      Files.write(slice, gzip(text.getBytes(StandardCharsets.UTF_8)));
    }
    ReaderOptions options = ReaderOptions.defaults().withTextField("description");

    List<Rec> first = read(slice, options);
    List<Rec> second = read(slice, options);

    assertThat(first).hasSize(300).isEqualTo(second);
    for (Rec row : first) {
      assertThat(row.docId()).matches("[0-9a-f]{32}").isEqualTo(Records.stableId(row.source(), row.position()));
      assertThat(row.title()).isNull(); // no "title" field in these records
    }
    assertThat(first.stream().map(Rec::docId).distinct().count()).isEqualTo(300);
  }

  @Test
  void htmlFixturesByGlobAndByDirectory() {
    List<Rec> byGlob = read(List.of(HTML_FIXTURES + "/*.html"), ReaderOptions.defaults());
    assertThat(byGlob).hasSize(5).allMatch(Rec::kept);
    Map<String, Rec> pages = byFileName(byGlob);
    assertThat(pages.get("datatype-boolean.html").title()).isEqualTo("8.6. Boolean Type");
    assertThat(pages.get("sql-droptable.html").text()).startsWith("## DROP TABLE\n\nDROP TABLE — remove a table");
    for (Rec page : byGlob) {
      assertThat(page.meta()).containsEntry("format", "html");
      assertThat(page.position()).isZero();
      assertThat(page.text()).doesNotContain("Prev", "Home");
    }

    // the directory also holds the licence NOTICE, which has no known extension: a reject, not silence
    List<Rec> byDirectory = read(HTML_FIXTURES, ReaderOptions.defaults());
    assertThat(byDirectory).hasSize(6);
    Rec notice = byFileName(byDirectory).get("NOTICE");
    assertThat(notice.reason()).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
    assertThat(notice.sample()).startsWith("The five .html files");
    assertThat(byDirectory.stream().filter(Rec::kept).toList()).isEqualTo(byGlob);
  }

  // ---------------------------------------------------------------- jsonl

  @Test
  void everyJsonlLineIsOneRowKeptOrRejected(@TempDir Path dir) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    writeLine(bytes, "{\"text\":\"good one\",\"id\":\"a1\",\"title\":\"T\",\"lang\":\"en\",\"n\":3,"
        + "\"nested\":{\"x\":1},\"format\":\"mine\"}\n");                          // 1 kept
    writeLine(bytes, "{\"text\": broken\n");                                       // 2 invalid json
    writeLine(bytes, "{\"body\":\"no text field\"}\n");                            // 3 missing text
    writeLine(bytes, "{\"text\": 42}\n");                                          // 4 text not a string
    writeLine(bytes, "[1,2,3]\n");                                                 // 5 not an object
    writeLine(bytes, "   \n");                                                     // 6 blank line
    bytes.write("{\"text\":\"bad ".getBytes(StandardCharsets.UTF_8));             // 7 invalid UTF-8
    bytes.write(new byte[] {(byte) 0xff, (byte) 0xfe});
    writeLine(bytes, " utf8\"}\n");
    writeLine(bytes, "{\"text\":\"" + "x".repeat(1500) + "\"}\n");                // 8 over maxDocChars
    writeLine(bytes, "{\"text\":\"ok\"} {\"text\":\"trailing\"}\n");              // 9 trailing garbage
    writeLine(bytes, "{\"text\":\"crlf line\"}\r\n");                              // 10 kept, \r dropped
    writeLine(bytes, "{\"text\":\"   \"}\n");                                      // 11 blank text
    writeLine(bytes, "{\"text\":null}\n");                                         // 12 null text
    writeLine(bytes, "{\"text\":\"last line without newline\",\"id\":7}");       // 13 kept
    Path file = dir.resolve("mixed.jsonl");
    Files.write(file, bytes.toByteArray());
    ReaderOptions options = ReaderOptions.defaults().withMaxDocChars(1000);

    List<Rec> lenient = read(file, options.withIdField("id"));
    assertThat(lenient).extracting(Rec::position).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L,
        12L, 13L);
    assertThat(lenient).extracting(Rec::reason).containsExactly(null, RejectReason.INVALID_JSON,
        RejectReason.MISSING_TEXT_FIELD, RejectReason.INVALID_TEXT_FIELD, RejectReason.NOT_AN_OBJECT,
        RejectReason.EMPTY, null, RejectReason.TOO_LONG, RejectReason.INVALID_JSON, null, RejectReason.EMPTY,
        RejectReason.MISSING_TEXT_FIELD, null);
    Rec good = lenient.get(0);
    assertThat(good.docId()).isEqualTo("a1");
    assertThat(good.title()).isEqualTo("T");
    assertThat(good.text()).isEqualTo("good one");
    assertThat(good.meta()).isEqualTo(Map.of("format", "jsonl", "lang", "en", "n", "3", "record.format", "mine"));
    assertThat(lenient.get(1).sample()).isEqualTo("{\"text\": broken");
    assertThat(lenient.get(6).text()).isEqualTo("bad \uFFFD\uFFFD utf8");
    assertThat(lenient.get(6).meta()).containsEntry("invalid_utf8", "replaced");
    assertThat(lenient.get(7).sample()).hasSize(Samples.SAMPLE_CHARS);
    assertThat(lenient.get(9).text()).isEqualTo("crlf line");
    assertThat(lenient.get(12).docId()).isEqualTo("7");
    assertThat(lenient.get(12).title()).isNull();
    for (Rec reject : lenient.stream().filter(r -> !r.kept()).toList()) {
      assertThat(reject.docId()).isEqualTo(Records.stableId(reject.source(), reject.position()));
      assertThat(reject.text()).isNull();
      assertThat(reject.meta()).containsEntry("format", "jsonl");
    }

    List<Rec> strict = read(file, options.withInvalidUtf8(InvalidUtf8Policy.REJECT).withTooLong(TooLongPolicy.TRUNCATE));
    assertThat(strict).hasSize(13);
    assertThat(strict.get(6).reason()).isEqualTo(RejectReason.INVALID_UTF8);
    assertThat(strict.get(6).sample()).isEqualTo("{\"text\":\"bad \\xFF\\xFE utf8\"}");
    assertThat(strict.get(7).reason()).isNull();
    assertThat(strict.get(7).text()).isEqualTo("x".repeat(1000));
    assertThat(strict.get(7).meta()).containsEntry("truncated", "true");
    assertThat(strict.get(0).docId()).isEqualTo(Records.stableId(strict.get(0).source(), 1)); // no idField now
  }

  @Test
  void listedMetaFieldsAndDottedPaths(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("nested.ndjson");
    Files.writeString(file, "{\"doc\":{\"body\":\"inner text\",\"id\":\"n1\"},\"tags\":[\"a\",\"b\"],\"x\":1,\"y\":2}\n");
    ReaderOptions options = ReaderOptions.defaults().withTextField("doc.body").withIdField("doc.id")
        .withMetaFields(List.of("tags", "x", "absent"));

    Rec row = read(file, options).get(0);

    assertThat(row.text()).isEqualTo("inner text");
    assertThat(row.docId()).isEqualTo("n1");
    assertThat(row.meta()).isEqualTo(Map.of("format", "jsonl", "tags", "[\"a\",\"b\"]", "x", "1"));
  }

  @Test
  void fiftyMegabyteSingleLineFilesDoNotCrashTheJob(@TempDir Path dir) throws IOException {
    int size = 50 << 20;
    Path jsonl = dir.resolve("huge.jsonl");
    Path txt = dir.resolve("huge.txt");
    try (OutputStream out = Files.newOutputStream(jsonl)) {
      out.write("{\"text\":\"".getBytes(StandardCharsets.US_ASCII));
      writeRepeated(out, (byte) 'a', size);
      out.write("\"}\n{\"text\":\"after the huge line\"}\n".getBytes(StandardCharsets.US_ASCII));
    }
    try (OutputStream out = Files.newOutputStream(txt)) {
      writeRepeated(out, (byte) 'b', size);
    }
    List<String> paths = List.of(jsonl.toString(), txt.toString());

    Map<String, List<Rec>> rejected = read(paths, ReaderOptions.defaults()).stream()
        .collect(Collectors.groupingBy(Rec::fileName));
    assertThat(rejected.get("huge.jsonl")).extracting(Rec::position, Rec::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, RejectReason.LINE_TOO_LONG),
            org.assertj.core.groups.Tuple.tuple(2L, null));
    assertThat(rejected.get("huge.jsonl").get(0).sample()).startsWith("{\"text\":\"aaaa").hasSize(Samples.SAMPLE_CHARS);
    assertThat(rejected.get("huge.txt")).singleElement()
        .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectReason.TOO_LONG));

    Map<String, List<Rec>> truncated = read(paths, ReaderOptions.defaults().withTooLong(TooLongPolicy.TRUNCATE))
        .stream().collect(Collectors.groupingBy(Rec::fileName));
    assertThat(truncated.get("huge.jsonl").get(0).reason()).isEqualTo(RejectReason.LINE_TOO_LONG);
    Rec doc = truncated.get("huge.txt").get(0);
    assertThat(doc.reason()).isNull();
    assertThat(doc.text()).hasSize(ReaderOptions.DEFAULT_MAX_DOC_CHARS).matches("b+");
    assertThat(doc.meta()).containsEntry("truncated", "true");
  }

  // ---------------------------------------------------------------- whole files

  @Test
  void wholeFileFormatsAndTheirRejects(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("empty.txt"), new byte[0]);
    Files.writeString(dir.resolve("blank.md"), "  \n\n\t\n");
    byte[] binary = new byte[4096];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 7);
    }
    Files.write(dir.resolve("binary.txt"), binary);
    byte[] controls = "text\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008 more".getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve("controls.txt"), controls);
    Files.write(dir.resolve("latin1.txt"), "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1));
    Files.writeString(dir.resolve("long.txt"), "word ".repeat(400)); // 2000 chars
    Files.write(dir.resolve("report.docx"), "PK\u0003\u0004 zip bytes".getBytes(StandardCharsets.ISO_8859_1));
    Files.writeString(dir.resolve("README"), "no extension");
    Files.writeString(dir.resolve("chrome.html"), "<html><body><nav>Home</nav><div class=navfooter>Next</div>"
        + "<script>x()</script></body></html>");
    Files.writeString(dir.resolve("notes.md"), "Intro line\n\n```sh\n# not the title\n```\n\n## Real Title ##\n\nBody.\n");
    Files.writeString(dir.resolve("plain.markdown"), "No heading here.\n");
    Files.write(dir.resolve("bom.txt"), concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf},
        "with BOM".getBytes(StandardCharsets.UTF_8)));
    Files.write(dir.resolve("legacy.htm"), ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
        + "charset=iso-8859-1\"><title>Caf\u00e9</title></head><body><p>Cr\u00e8me br\u00fbl\u00e9e</p></body></html>")
        .getBytes(StandardCharsets.ISO_8859_1));
    ReaderOptions options = ReaderOptions.defaults().withMaxDocChars(1000);

    Map<String, Rec> lenient = byFileName(read(dir, options));

    assertThat(lenient).hasSize(13);
    assertThat(lenient.get("empty.txt").reason()).isEqualTo(RejectReason.EMPTY);
    assertThat(lenient.get("blank.md").reason()).isEqualTo(RejectReason.EMPTY);
    assertThat(lenient.get("binary.txt").reason()).isEqualTo(RejectReason.BINARY);
    assertThat(lenient.get("binary.txt").sample()).startsWith("\\u0000\\u0007\\u000E");
    assertThat(lenient.get("controls.txt").reason()).isEqualTo(RejectReason.BINARY);
    assertThat(lenient.get("latin1.txt").text()).isEqualTo("caf\uFFFD au lait");
    assertThat(lenient.get("latin1.txt").meta()).containsEntry("invalid_utf8", "replaced");
    assertThat(lenient.get("long.txt").reason()).isEqualTo(RejectReason.TOO_LONG);
    assertThat(lenient.get("report.docx").reason()).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
    assertThat(lenient.get("report.docx").sample()).startsWith("PK\\u0003\\u0004");
    assertThat(lenient.get("README").reason()).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
    assertThat(lenient.get("chrome.html").reason()).isEqualTo(RejectReason.EMPTY);
    assertThat(lenient.get("notes.md").title()).isEqualTo("Real Title");
    assertThat(lenient.get("notes.md").text()).startsWith("Intro line\n\n```sh\n# not the title");
    assertThat(lenient.get("notes.md").meta()).isEqualTo(Map.of("format", "md"));
    assertThat(lenient.get("plain.markdown").title()).isEqualTo("plain");
    assertThat(lenient.get("bom.txt").text()).isEqualTo("with BOM");
    assertThat(lenient.get("bom.txt").title()).isEqualTo("bom");
    assertThat(lenient.get("legacy.htm").title()).isEqualTo("Caf\u00e9");
    assertThat(lenient.get("legacy.htm").text()).isEqualTo("Cr\u00e8me br\u00fbl\u00e9e");
    assertThat(lenient.get("legacy.htm").meta()).containsEntry("charset", "ISO-8859-1");
    for (Rec row : lenient.values()) {
      assertThat(row.position()).isZero();
      assertThat(row.docId()).isEqualTo(Records.stableId(row.source(), 0));
    }

    Map<String, Rec> strict = byFileName(read(dir,
        options.withInvalidUtf8(InvalidUtf8Policy.REJECT).withTooLong(TooLongPolicy.TRUNCATE)));
    assertThat(strict.get("latin1.txt").reason()).isEqualTo(RejectReason.INVALID_UTF8);
    assertThat(strict.get("latin1.txt").sample()).isEqualTo("caf\\xE9 au lait");
    assertThat(strict.get("long.txt").text()).isEqualTo("word ".repeat(200));
    assertThat(strict.get("long.txt").meta()).containsEntry("truncated", "true");
    assertThat(strict.get("legacy.htm").reason()).isNull(); // declared Latin-1 is not invalid UTF-8
  }

  // ---------------------------------------------------------------- parquet

  @Test
  void parquetRowsWithPositionsIdsAndRejects(@TempDir Path dir) throws IOException {
    StructType schema = new StructType()
        .add("key", DataTypes.StringType)
        .add("body", DataTypes.StringType)
        .add("n", DataTypes.IntegerType)
        .add("tags", DataTypes.createArrayType(DataTypes.StringType));
    List<Row> input = List.of(
        RowFactory.create("k0", "first body", 1, new String[] {"a"}),
        RowFactory.create("k1", null, 2, null),
        RowFactory.create(null, "third body", null, null),
        RowFactory.create("k3", "", 4, null));
    Path written = dir.resolve("table");
    spark.createDataFrame(input, schema).coalesce(1).write().parquet(written.toString());
    ReaderOptions options = ReaderOptions.defaults().withTextField("body").withIdField("key");

    List<Rec> rows = read(written, options); // a directory with _SUCCESS and .crc files, which are skipped

    assertThat(rows).extracting(Rec::position).containsExactly(0L, 1L, 2L, 3L);
    assertThat(rows).extracting(Rec::reason).containsExactly(null, RejectReason.MISSING_TEXT_FIELD, null,
        RejectReason.EMPTY);
    assertThat(rows.get(0).docId()).isEqualTo("k0");
    assertThat(rows.get(0).text()).isEqualTo("first body");
    assertThat(rows.get(0).meta()).isEqualTo(Map.of("format", "parquet", "n", "1"));
    assertThat(rows.get(2).docId()).isEqualTo(Records.stableId(rows.get(2).source(), 2));
    assertThat(rows.get(1).sample()).contains("k1");

    List<Rec> noTextColumn = read(written, ReaderOptions.defaults());
    assertThat(noTextColumn).hasSize(4).allMatch(r -> RejectReason.MISSING_TEXT_FIELD.equals(r.reason()));

    Path broken = dir.resolve("broken.parquet");
    Files.writeString(broken, "this is not parquet at all");
    Path empty = dir.resolve("empty.parquet");
    MessageType emptySchema = MessageTypeParser.parseMessageType("message m { optional binary text (UTF8); }");
    try (ParquetWriter<org.apache.parquet.example.data.Group> writer = ExampleParquetWriter
        .builder(new org.apache.hadoop.fs.Path(empty.toUri())).withType(emptySchema).withConf(new Configuration())
        .build()) {
      new SimpleGroupFactory(emptySchema); // a writer closed without rows: a valid file with zero rows
    }
    Map<String, Rec> bad = byFileName(read(List.of(broken.toString(), empty.toString()), options));
    assertThat(bad.get("broken.parquet").reason()).isEqualTo(RejectReason.INVALID_PARQUET);
    assertThat(bad.get("broken.parquet").sample()).contains("not a Parquet file");
    assertThat(bad.get("empty.parquet").reason()).isEqualTo(RejectReason.EMPTY);
  }

  // ---------------------------------------------------------------- gzip

  @Test
  void gzipOfEveryFormatAndDamagedGzip(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("a.txt.gz"), gzip("plain text".getBytes(StandardCharsets.UTF_8)));
    Files.write(dir.resolve("b.md.gz"), gzip("# Heading\n\nmarkdown".getBytes(StandardCharsets.UTF_8)));
    Files.write(dir.resolve("c.html.gz"), gzip(Files.readAllBytes(HTML_FIXTURES.resolve("sql-droptable.html"))));
    Files.write(dir.resolve("d.jsonl.gz"), gzip("{\"text\":\"one\"}\n{\"text\":\"two\"}\n".getBytes(StandardCharsets.UTF_8)));
    Path table = dir.resolve("table");
    spark.createDataFrame(List.of(RowFactory.create("parquet text")), new StructType().add("text", DataTypes.StringType))
        .coalesce(1).write().parquet(table.toString());
    Path part;
    try (var files = Files.list(table)) {
      part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Files.write(dir.resolve("e.parquet.gz"), gzip(Files.readAllBytes(part)));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      many.append("{\"text\":\"line ").append(i).append(" with some padding to make it longer\"}\n");
    }
    byte[] whole = gzip(many.toString().getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("f-cut.jsonl.gz"), Arrays.copyOf(whole, whole.length / 2));
    Files.writeString(dir.resolve("g-not-gzip.txt.gz"), "plain text with a .gz name");

    List<String> paths = List.of(dir.resolve("*.gz").toString());
    Map<String, List<Rec>> rows = read(paths, ReaderOptions.defaults()).stream()
        .collect(Collectors.groupingBy(Rec::fileName));

    assertThat(rows.get("a.txt.gz")).singleElement().satisfies(r -> {
      assertThat(r.text()).isEqualTo("plain text");
      assertThat(r.title()).isEqualTo("a");
      assertThat(r.meta()).containsEntry("format", "txt");
    });
    assertThat(rows.get("b.md.gz").get(0).title()).isEqualTo("Heading");
    assertThat(rows.get("c.html.gz").get(0).title()).isEqualTo("DROP TABLE");
    assertThat(rows.get("d.jsonl.gz")).extracting(Rec::text).containsExactly("one", "two");
    assertThat(rows.get("e.parquet.gz")).singleElement().satisfies(r -> {
      assertThat(r.text()).isEqualTo("parquet text");
      assertThat(r.position()).isZero();
    });
    List<Rec> cut = rows.get("f-cut.jsonl.gz");
    Rec last = cut.get(cut.size() - 1);
    assertThat(last.reason()).isEqualTo(RejectReason.CORRUPT_GZIP);
    assertThat(cut.subList(0, cut.size() - 1)).allMatch(Rec::kept).hasSizeGreaterThan(1000);
    assertThat(last.position()).isEqualTo(cut.size()); // the line the damage cut into
    assertThat(rows.get("g-not-gzip.txt.gz").get(0).reason()).isEqualTo(RejectReason.CORRUPT_GZIP);
  }

  // ---------------------------------------------------------------- paths

  @Test
  void everyInputRecordIsExactlyOneRow(@TempDir Path dir) throws IOException {
    Path nested = Files.createDirectories(dir.resolve("corpus/sub/deeper"));
    Files.writeString(dir.resolve("corpus/a.jsonl"), "{\"text\":\"x\"}\nnot json\n{\"text\":\"y\"}\n\n{\"t\":1}\n");
    Files.writeString(dir.resolve("corpus/sub/b.txt"), "b text");
    Files.writeString(nested.resolve("c.md"), "# C\n");
    Files.write(nested.resolve("d.txt"), new byte[0]);
    Files.writeString(dir.resolve("corpus/_SUCCESS"), "");
    Files.writeString(dir.resolve("corpus/sub/.b.txt.crc"), "crc");
    Files.createDirectories(dir.resolve("corpus/_temporary"));
    Files.writeString(dir.resolve("corpus/_temporary/part.txt"), "half-written");

    List<Rec> rows = read(dir.resolve("corpus"), ReaderOptions.defaults());

    int jsonlLines = 5;
    int wholeFiles = 3;
    assertThat(rows).hasSize(jsonlLines + wholeFiles);
    assertThat(rows.stream().filter(Rec::kept).count()).isEqualTo(4);
    assertThat(rows.stream().filter(r -> !r.kept()).map(Rec::reason).sorted().toList())
        .containsExactly(RejectReason.EMPTY, RejectReason.EMPTY, RejectReason.INVALID_JSON,
            RejectReason.MISSING_TEXT_FIELD);

    // the same files through a glob and an overlapping explicit path: each file still read once
    List<Rec> again = read(List.of(dir.resolve("corpus/*").toString(), dir.resolve("corpus/a.jsonl").toString()),
        ReaderOptions.defaults());
    assertThat(again).isEqualTo(rows);
  }

  @Test
  void pathsThatMatchNothingAreClearErrors(@TempDir Path dir) throws IOException {
    String missing = dir.resolve("no-such-file.jsonl").toString();
    assertThatThrownBy(() -> CorpusReader.read(spark, List.of(missing), ReaderOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing);
    String glob = dir.resolve("*.parquet").toString();
    assertThatThrownBy(() -> CorpusReader.read(spark, List.of(glob), ReaderOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(glob);
    Files.writeString(dir.resolve("_SUCCESS"), "");
    String onlyHidden = dir.resolve("_*").toString();
    assertThatThrownBy(() -> CorpusReader.read(spark, List.of(onlyHidden), ReaderOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(onlyHidden);
    Path emptyDir = Files.createDirectories(dir.resolve("empty"));
    Files.writeString(emptyDir.resolve("_SUCCESS"), "");
    assertThatThrownBy(() -> CorpusReader.read(spark, List.of(emptyDir.toString()), ReaderOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(emptyDir.toString());
    assertThatThrownBy(() -> ReaderOptions.defaults().withMaxDocChars(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDocChars");
  }

  @Test
  void filesAreSpreadEvenlyOverPartitions() {
    List<InputFiles.InputFile> files = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      files.add(new InputFiles.InputFile("file:/f" + i, (i + 1) * 100L, 0));
    }
    List<List<InputFiles.InputFile>> groups = InputFiles.balance(files, 3);
    assertThat(groups).hasSize(3);
    List<Long> bytes = groups.stream().map(g -> g.stream().mapToLong(InputFiles.InputFile::length).sum()).toList();
    assertThat(bytes.stream().mapToLong(Long::longValue).sum()).isEqualTo(5500);
    assertThat(bytes.stream().mapToLong(Long::longValue).max().orElseThrow()
        - bytes.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThanOrEqualTo(100);
    assertThat(InputFiles.balance(files, 3)).isEqualTo(groups);
    assertThat(InputFiles.balance(files.subList(0, 2), 8)).hasSize(2);
  }

  // ---------------------------------------------------------------- helpers

  static void writeLine(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  static void writeRepeated(OutputStream out, byte value, int count) throws IOException {
    byte[] block = new byte[1 << 20];
    Arrays.fill(block, value);
    for (int left = count; left > 0; left -= block.length) {
      out.write(block, 0, Math.min(left, block.length));
    }
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
