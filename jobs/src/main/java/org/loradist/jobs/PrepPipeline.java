package org.loradist.jobs;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.Settings;
import org.loradist.jobs.output.AtomicOutput;
import org.loradist.jobs.output.Manifest;
import org.loradist.pipelines.chunk.TextChunker;
import org.loradist.pipelines.clean.CleanSummary;
import org.loradist.pipelines.clean.PiiType;
import org.loradist.pipelines.clean.QualityConfig;
import org.loradist.pipelines.clean.TextCleaner;
import org.loradist.pipelines.dedup.DedupConfig;
import org.loradist.pipelines.dedup.DedupResult;
import org.loradist.pipelines.dedup.Deduplicator;
import org.loradist.pipelines.ingest.CorpusReader;
import org.loradist.pipelines.ingest.ReaderOptions;

/**
 * The prep stages in order — read, clean, refuse repeated ids, deduplicate, chunk — writing each part of the output
 * into the staging folder and the counts into the manifest. Counts must add up: records in = docs + rejected +
 * deduplicated; the run fails rather than commit an output where they do not.
 */
final class PrepPipeline {
  static final String DUPLICATE_ID = "prep:duplicate_id";

  private final JobConfig c;

  PrepPipeline(JobConfig config) {
    this.c = config;
  }

  PrepResult run(SparkSession spark, List<String> inputs, AtomicOutput out, Manifest manifest) {
    Dataset<Row> records = spreadOverCores(spark, CorpusReader.read(spark, inputs, readerOptions()));
    Dataset<Row> cleanedRecords = cleaner().transform(records).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      step(spark, "read_clean");
      Dataset<Row> cleaned = refuseRepeatedIds(cleanedRecords);
      CleanSummary clean = TextCleaner.summarize(cleaned);
      manifest.lap("read_clean");

      step(spark, "write_rejects");
      Dataset<Row> rejects = cleaned.filter(col("reject_reason").isNotNull()).select(
          col("source"), col("position"), substring_index(col("reject_reason"), ":", 1).as("stage"),
          col("reject_reason").as("reason"), col("sample"));
      write(rejects, out.part("rejects"), "source", "position");
      manifest.lap("write_rejects");

      step(spark, "dedup");
      Dataset<Row> candidates = cleaned.filter(col("reject_reason").isNull()).select(docColumns());
      DedupResult dedup = Deduplicator.run(candidates, dedupConfig());
      manifest.lap("dedup");
      step(spark, "write_docs");
      Observation byKind = new Observation("duplicates by kind");
      write(dedup.duplicates().observe(byKind,
              count(when(col("kind").equalTo("exact"), 1)).as("exact"),
              count(when(col("kind").equalTo("near"), 1)).as("near")),
          out.part("duplicates"), "doc_id");
      Observation docs = new Observation("docs");
      Dataset<Row> kept = dedup.kept().select(docColumns());
      write(kept.observe(docs, count(lit(1)).as("rows")), out.part("docs"), "doc_id");
      manifest.lap("write_docs");

      step(spark, "chunk_write");
      // Chunked from the kept documents where they lie (not read back from docs): no shuffle of their text.
      Observation chunks = new Observation("chunks");
      write(chunker().transform(kept).observe(chunks, count(lit(1)).as("rows")), out.part("chunks"),
          "doc_id", "ordinal");
      manifest.lap("chunk_write");

      return tally(clean, rows(docs), rows(chunks), observed(byKind), manifest);
    } finally {
      cleanedRecords.unpersist();
      step(spark, null);
    }
  }

  /** Labels the Spark jobs that follow (Spark UI, event log, listeners) with the prep step they belong to. */
  private static void step(SparkSession spark, String name) {
    spark.sparkContext().setJobDescription(name == null ? null : "prep:" + name);
  }

  /** The row count an {@link Observation} of {@code count(lit(1)).as("rows")} saw while its Dataset was written. */
  private static long rows(Observation observation) {
    return ((Number) observed(observation).get("rows")).longValue();
  }

  /** The metrics of an observation whose action has run (so get returns at once). */
  private static Map<String, Object> observed(Observation observation) {
    try {
      return observation.getAsJava();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the prep counts", e);
    }
  }

  /**
   * The manifest's counts, from the observations of the writes themselves (no job reads the output back), and the
   * check that they add up.
   */
  private static PrepResult tally(CleanSummary clean, long docs, long chunks, Map<String, Object> duplicatesByKind,
      Manifest manifest) {
    Map<String, Long> dedupByKind = new LinkedHashMap<>();
    for (String kind : List.of("exact", "near")) {
      long n = ((Number) duplicatesByKind.get(kind)).longValue();
      if (n > 0) {
        dedupByKind.put(kind, n);
      }
    }
    long deduplicated = dedupByKind.values().stream().mapToLong(Long::longValue).sum();
    long records = clean.rows();
    PrepResult result = new PrepResult(records, docs, clean.rejected(), deduplicated, chunks);
    manifest.count("records_in", records)
        .count("docs", docs)
        .count("rejected", clean.rejected())
        .count("rejected_by_reason", clean.rejectsByReason())
        .count("deduplicated", deduplicated)
        .count("deduplicated_by_kind", dedupByKind)
        .count("chunks", chunks)
        .count("pii_redactions", clean.piiCounts());
    if (!result.addsUp()) {
      throw new IllegalStateException("prep counts do not add up: " + result.summary());
    }
    return result;
  }

  /**
   * A later record carrying an id already taken would make doc and chunk ids ambiguous: it is refused. The ranking
   * shuffles only (doc_id, source, position) of the live rows, not their text; the few refused records are then
   * marked by a join on (source, position) that leaves {@code cleaned} where it is (broadcast when they are few).
   */
  private static Dataset<Row> refuseRepeatedIds(Dataset<Row> cleaned) {
    Column live = col("reject_reason").isNull();
    Dataset<Row> repeated = cleaned.filter(live)
        .select(col("doc_id"), col("source"), col("position"),
            row_number().over(Window.partitionBy(col("doc_id")).orderBy("source", "position")).as("_id_rank"))
        .filter(col("_id_rank").gt(1))
        .select(col("source"), col("position"), lit(true).as("_repeated"))
        .localCheckpoint(true);
    boolean few = repeated.count() <= BROADCAST_REFUSALS;
    Column isRepeated = col("_repeated").isNotNull();
    return cleaned.join(few ? broadcast(repeated) : repeated, scala.collection.JavaConverters.asScalaBuffer(List.of("source", "position")).toSeq(), "left")
        .withColumn("sample", when(isRepeated, lit("doc_id already used by an earlier record")).otherwise(col("sample")))
        .withColumn("reject_reason", when(isRepeated, lit(DUPLICATE_ID)).otherwise(col("reject_reason")))
        .select(Arrays.stream(cleaned.columns()).map(name -> col(name)).toArray(Column[]::new));
  }

  /** Up to this many refused (source, position) pairs are broadcast rather than joined by a shuffle. */
  private static final long BROADCAST_REFUSALS = 1_000_000;

  /**
   * One large file is one read partition: cleaning, the costly part, would then run on one core. Fewer partitions
   * than cores are spread by a hash of (source, position): deterministic, so a retried task sees the same rows.
   */
  private static Dataset<Row> spreadOverCores(SparkSession spark, Dataset<Row> records) {
    int cores = spark.sparkContext().defaultParallelism();
    return records.rdd().getNumPartitions() >= cores ? records
        : records.repartition(cores * 2, col("source"), col("position"));
  }

  private static Column[] docColumns() {
    return new Column[] {
        col("doc_id"), col("source"), col("title"), col("text"), col("meta").getItem("lang").as("lang"),
        col("meta"), col("chars"), col("content_hash")};
  }

  /**
   * Writes rows sorted by the keys within each file, in the partitions they already have (which depend only on the
   * input and the config): same rows and files on every rerun, and no shuffle of the text to get there.
   */
  private static void write(Dataset<Row> ds, String path, String... keys) {
    Column[] sortKeys = Arrays.stream(keys).map(name -> col(name)).toArray(Column[]::new);
    ds.sortWithinPartitions(sortKeys).write().mode(SaveMode.ErrorIfExists).parquet(path);
  }

  private ReaderOptions readerOptions() {
    ReaderOptions o = ReaderOptions.defaults()
        .withTextField(c.string(Settings.READ_TEXT_FIELD))
        .withIdField(blankToNull(c.string(Settings.READ_ID_FIELD)))
        .withTitleField(blankToNull(c.string(Settings.READ_TITLE_FIELD)))
        .withInvalidUtf8(ReaderOptions.InvalidUtf8Policy.valueOf(c.string(Settings.READ_INVALID_UTF8).toUpperCase()))
        .withMaxDocChars(c.integer(Settings.READ_MAX_DOC_CHARS))
        .withTooLong(ReaderOptions.TooLongPolicy.valueOf(c.string(Settings.READ_TOO_LONG).toUpperCase()));
    List<String> meta = c.list(Settings.READ_META_FIELDS);
    return meta.isEmpty() ? o : o.withMetaFields(meta);
  }

  private TextCleaner cleaner() {
    return new TextCleaner()
        .setRedactTypes(c.bool(Settings.CLEAN_PII) ? EnumSet.allOf(PiiType.class) : EnumSet.noneOf(PiiType.class))
        .setQuality(new QualityConfig(c.integer(Settings.Q_MIN_CHARS), c.integer(Settings.Q_MAX_CHARS),
            c.integer(Settings.Q_MIN_WORDS), c.decimal(Settings.Q_MIN_ALPHA), c.decimal(Settings.Q_MIN_MEAN_WORD),
            c.decimal(Settings.Q_MAX_MEAN_WORD), c.decimal(Settings.Q_MAX_REPEATED), c.decimal(Settings.Q_MAX_SYMBOL)));
  }

  private DedupConfig dedupConfig() {
    return DedupConfig.defaults()
        .withExact(c.bool(Settings.DEDUP_EXACT))
        .withNear(c.bool(Settings.DEDUP_NEAR))
        .withThreshold(c.decimal(Settings.DEDUP_THRESHOLD))
        .withShingleSize(c.integer(Settings.DEDUP_SHINGLE))
        .withBanding(c.integer(Settings.DEDUP_BANDS), c.integer(Settings.DEDUP_ROWS))
        .withLocalComponentsMaxEdges(c.longValue(Settings.DEDUP_LOCAL_CC_MAX_EDGES))
        .withLocalCandidatesMaxDocs(c.longValue(Settings.DEDUP_LOCAL_CANDIDATES_MAX_DOCS))
        .withSeed(c.longValue(Settings.SEED));
  }

  private TextChunker chunker() {
    return new TextChunker()
        .setMaxTokens(c.integer(Settings.CHUNK_MAX_TOKENS))
        .setOverlapTokens(c.integer(Settings.CHUNK_OVERLAP));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
