package org.loradist.jobs.config;

import static org.loradist.jobs.config.Setting.bool;
import static org.loradist.jobs.config.Setting.choice;
import static org.loradist.jobs.config.Setting.decimal;
import static org.loradist.jobs.config.Setting.integer;
import static org.loradist.jobs.config.Setting.list;
import static org.loradist.jobs.config.Setting.longValue;
import static org.loradist.jobs.config.Setting.string;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.loradist.pipelines.chunk.ChunkConfig;
import org.loradist.pipelines.clean.QualityConfig;
import org.loradist.pipelines.dedup.ConnectedComponents;
import org.loradist.pipelines.dedup.DedupConfig;
import org.loradist.pipelines.ingest.ReaderOptions;

/** Every configuration key lora-dist knows, with its default and meaning: the one place keys are defined. */
public final class Settings {
  private Settings() {}

  private static final int MAX = Integer.MAX_VALUE;

  public static final Setting SPARK_MASTER = string("spark.master", "",
      "Spark master URL; empty means the session's own (spark-submit, Databricks) or local[*] when there is none.");
  public static final Setting SPARK_APP_NAME = string("spark.app-name", "lora-dist", "Spark application name.");
  public static final Setting SPARK_PARTITIONS = integer("spark.shuffle-partitions", 8, 1, 100_000,
      "spark.sql.shuffle.partitions for lora-dist's jobs (small corpora need few).");

  public static final Setting PREP_INPUT = list("prep.input", List.of(),
      "Input files, directories or globs: txt, md, html, jsonl, parquet, each optionally .gz.");
  public static final Setting PREP_OUTPUT = string("prep.output", "",
      "Output directory; receives docs/, chunks/, rejects/, duplicates/ and _manifest.json.");
  public static final Setting READ_TEXT_FIELD = string("prep.read.text-field", "text",
      "Field holding the document text in jsonl/parquet input.");
  public static final Setting READ_ID_FIELD = string("prep.read.id-field", "",
      "Field holding the record's own id; empty: a stable hash of source and position.");
  public static final Setting READ_TITLE_FIELD = string("prep.read.title-field", "title",
      "Field holding the title in jsonl/parquet input (optional in the data).");
  public static final Setting READ_META_FIELDS = list("prep.read.meta-fields", List.of(),
      "Fields copied into meta; empty: all other top-level scalar fields.");
  public static final Setting READ_INVALID_UTF8 = choice("prep.read.invalid-utf8", "replace",
      "What to do with invalid UTF-8: replace bad bytes with U+FFFD, or reject the record.", "replace", "reject");
  public static final Setting READ_MAX_DOC_CHARS = integer("prep.read.max-doc-chars", ReaderOptions.DEFAULT_MAX_DOC_CHARS, 1, MAX,
      "Largest document kept, in characters.");
  public static final Setting READ_TOO_LONG = choice("prep.read.too-long", "reject",
      "What to do with a document above max-doc-chars.", "reject", "truncate");

  public static final Setting CLEAN_PII = bool("prep.clean.pii", true,
      "Redact e-mail, phone, IPv4/IPv6, payment cards (Luhn) and IBANs (mod 97) with typed placeholders.");
  public static final Setting Q_MIN_CHARS = integer("prep.quality.min-chars", QualityConfig.DEFAULTS.minChars(), 0, MAX,
      "Reject documents shorter than this (characters, after cleaning).");
  public static final Setting Q_MAX_CHARS = integer("prep.quality.max-chars", QualityConfig.DEFAULTS.maxChars(), 1, MAX,
      "Reject documents longer than this (characters, after cleaning).");
  public static final Setting Q_MIN_WORDS = integer("prep.quality.min-words", QualityConfig.DEFAULTS.minWords(), 0, MAX,
      "Reject documents with fewer words.");
  public static final Setting Q_MIN_ALPHA = decimal("prep.quality.min-alpha-ratio", QualityConfig.DEFAULTS.minAlphaRatio(), 0, 1,
      "Reject documents whose share of letters among non-space characters is below this.");
  public static final Setting Q_MIN_MEAN_WORD = decimal("prep.quality.min-mean-word-length", QualityConfig.DEFAULTS.minMeanWordLength(), 0, 1000,
      "Reject documents whose mean word length is below this.");
  public static final Setting Q_MAX_MEAN_WORD = decimal("prep.quality.max-mean-word-length", QualityConfig.DEFAULTS.maxMeanWordLength(), 0, 100_000,
      "Reject documents whose mean word length is above this.");
  public static final Setting Q_MAX_REPEATED = decimal("prep.quality.max-repeated-line-fraction",
      QualityConfig.DEFAULTS.maxRepeatedLineFraction(), 0, 1,
      "Reject documents where this share of the text (by characters) is in lines repeated elsewhere.");
  public static final Setting Q_MAX_SYMBOL = decimal("prep.quality.max-symbol-ratio", QualityConfig.DEFAULTS.maxSymbolRatio(), 0, 1,
      "Reject documents whose share of symbol characters is above this.");

  public static final Setting DEDUP_EXACT = bool("prep.dedup.exact", true,
      "Remove exact duplicates (same normalised content hash).");
  public static final Setting DEDUP_NEAR = bool("prep.dedup.near", true,
      "Remove near duplicates (MinHash LSH, verified Jaccard).");
  public static final Setting DEDUP_THRESHOLD = decimal("prep.dedup.threshold", DedupConfig.DEFAULT_THRESHOLD, 0.01, 1,
      "Jaccard similarity of word shingles at or above which two documents are near duplicates.");

  public static final Setting CHUNK_MAX_TOKENS = integer("prep.chunk.max-tokens", ChunkConfig.DEFAULT_MAX_TOKENS, 16, 8192,
      "Largest chunk, in tokens of the default model's tokenizer.");
  public static final Setting CHUNK_OVERLAP = integer("prep.chunk.overlap-tokens", ChunkConfig.DEFAULT_OVERLAP_TOKENS, 0, 4096,
      "Tokens shared by consecutive chunks of a section.");

  public static final Setting DEDUP_SHINGLE = integer("prep.dedup.shingle-words", DedupConfig.DEFAULT_SHINGLE_SIZE,
      1, 32, "Words per shingle for near-duplicate detection.");
  public static final Setting DEDUP_BANDS = integer("prep.dedup.bands", DedupConfig.DEFAULT_BANDS, 1, 1024,
      "LSH bands (b); with rows (r), a pair of similarity s becomes a candidate with probability 1-(1-s^r)^b.");
  public static final Setting DEDUP_ROWS = integer("prep.dedup.rows", DedupConfig.DEFAULT_ROWS, 1, 64,
      "MinHash values per LSH band (r).");
  public static final Setting DEDUP_LOCAL_CC_MAX_EDGES = longValue("prep.dedup.local-components-max-edges",
      ConnectedComponents.DEFAULT_LOCAL_MAX_EDGES, 0, Long.MAX_VALUE,
      "Up to this many verified near-duplicate pairs, their groups (connected components) are found in one executor"
          + " task; above it by distributed Spark rounds (same result; 0 distributes every non-empty graph).");
  public static final Setting DEDUP_LOCAL_CANDIDATES_MAX_DOCS = longValue("prep.dedup.local-candidates-max-docs",
      DedupConfig.DEFAULT_LOCAL_CANDIDATES_MAX_DOCS, 0, Long.MAX_VALUE,
      "Up to this many documents, exact duplicates and near-duplicate candidate pairs are found in one executor task"
          + " (about 500 bytes of heap per document); above it by distributed Spark windows and joins (same result;"
          + " 0 always distributes).");
  public static final Setting EMBED_CHUNKS = string("embed.chunks", "",
      "A prep output folder (its chunks/ is read) or a chunks Parquet folder.");
  public static final Setting EMBED_OUTPUT = string("embed.output", "",
      "Output folder; receives embeddings/, rejects/ and _manifest.json.");
  public static final Setting EMBED_MODEL = string("embed.model", "default",
      "'default' (bundled all-MiniLM-L6-v2) or a Hugging Face model directory (config.json, model.safetensors, tokenizer.json).");
  public static final Setting EMBED_MAX_TOKENS = integer("embed.max-tokens", 256, 3, 8192,
      "Truncation length in tokens, [CLS]/[SEP] included (sentence-transformers uses 256 for the default model).");
  public static final Setting EMBED_BATCH_TOKENS = integer("embed.batch-tokens", 8192, 16, 1 << 20,
      "Padded tokens per batch (batch size x longest text in it); batches are sorted by length.");
  public static final Setting EMBED_PRECISION = choice("embed.precision", "fp32",
      "Compute precision; bf16 is refused with DJL 0.36's PyTorch binding (see README).", "fp32", "bf16");

  public static final Setting SEED = longValue("run.seed", 42, Long.MIN_VALUE, Long.MAX_VALUE,
      "Seed for everything random in a run (MinHash functions, shuffling, initialisation).");

  private static final List<Setting> PREP_AND_EMBED = List.of(SPARK_MASTER, SPARK_APP_NAME, SPARK_PARTITIONS,
      PREP_INPUT, PREP_OUTPUT, READ_TEXT_FIELD, READ_ID_FIELD, READ_TITLE_FIELD, READ_META_FIELDS,
      READ_INVALID_UTF8, READ_MAX_DOC_CHARS, READ_TOO_LONG, CLEAN_PII, Q_MIN_CHARS, Q_MAX_CHARS, Q_MIN_WORDS,
      Q_MIN_ALPHA, Q_MIN_MEAN_WORD, Q_MAX_MEAN_WORD, Q_MAX_REPEATED, Q_MAX_SYMBOL, DEDUP_EXACT, DEDUP_NEAR,
      DEDUP_THRESHOLD, DEDUP_SHINGLE, DEDUP_BANDS, DEDUP_ROWS, DEDUP_LOCAL_CC_MAX_EDGES,
      DEDUP_LOCAL_CANDIDATES_MAX_DOCS, CHUNK_MAX_TOKENS,
      CHUNK_OVERLAP, EMBED_CHUNKS, EMBED_OUTPUT, EMBED_MODEL, EMBED_MAX_TOKENS, EMBED_BATCH_TOKENS, EMBED_PRECISION,
      SEED);

  /**
   * Every key, in reference order. Commands added later declare their keys in their own class
   * ({@code TrainSettings}, ...) and join here, so that this stays the one list the parser and docs read.
   */
  public static final List<Setting> ALL = concat(PREP_AND_EMBED, TrainSettings.ALL, WritebackSettings.ALL,
      ServeSettings.ALL, GenerateSettings.ALL, RunSettings.ALL);

  @SafeVarargs
  private static List<Setting> concat(List<Setting>... groups) {
    return java.util.Arrays.stream(groups).flatMap(List::stream).toList();
  }

  private static final Map<String, Setting> BY_KEY = index();

  private static Map<String, Setting> index() {
    Map<String, Setting> m = new LinkedHashMap<>();
    for (Setting s : ALL) {
      if (m.put(s.key(), s) != null) {
        throw new IllegalStateException("config key declared twice: " + s.key());
      }
    }
    return m;
  }

  public static Optional<Setting> find(String key) {
    return Optional.ofNullable(BY_KEY.get(key));
  }
}
