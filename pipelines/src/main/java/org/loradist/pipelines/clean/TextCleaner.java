package org.loradist.pipelines.clean;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.sum;

import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * The cleaning stage as a Spark ML {@link Transformer}. Input: rows with the {@code Schemas.RECORDS} columns
 * (at least {@code text} and {@code reject_reason}; other columns pass through). For each row whose
 * {@code reject_reason} is null it runs {@link DocumentCleaner} in one {@code mapPartitions} pass and
 *
 * <ul>
 *   <li>replaces {@code text} by the normalised, redacted text;</li>
 *   <li>adds {@code chars} (int, UTF-16 length of the new text), {@code pii} (map&lt;string,int&gt;: redactions by
 *       {@link PiiType#key()}, empty when none) and {@code content_hash} ({@link ContentHash}; null for rows this
 *       stage rejects, which take no part in deduplication);</li>
 *   <li>sets {@code reject_reason} when a quality rule fails (and then {@code sample}, when the column exists, to
 *       the first {@link #SAMPLE_CHARS} chars of the cleaned, redacted text: a reject never carries PII); a null
 *       {@code text} becomes the reject {@link #NULL_TEXT}.</li>
 * </ul>
 *
 * Rows already rejected pass through untouched, with null {@code chars}, {@code content_hash} and {@code pii}.
 * Persistence: {@link DefaultParamsWritable} ({@code write().save(path)}) and {@link #read()} / {@link #load}.
 */
public final class TextCleaner extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  public static final String TEXT = "text";
  public static final String REJECT_REASON = "reject_reason";
  public static final String SAMPLE = "sample";
  public static final String CHARS = "chars";
  public static final String CONTENT_HASH = "content_hash";
  public static final String PII = "pii";

  /** Reject reason of a row that is not yet rejected but has no text. */
  public static final String NULL_TEXT = "clean:null_text";
  /** How much of a document's cleaned text a quality reject keeps in {@code sample}. */
  public static final int SAMPLE_CHARS = 256;

  private final String uid;
  private final BooleanParam normalize;
  private final BooleanParam redactEmail;
  private final BooleanParam redactPhone;
  private final BooleanParam redactIpv4;
  private final BooleanParam redactIpv6;
  private final BooleanParam redactCard;
  private final BooleanParam redactIban;
  private final BooleanParam filterQuality;
  private final IntParam minChars;
  private final IntParam maxChars;
  private final IntParam minWords;
  private final DoubleParam minAlphaRatio;
  private final DoubleParam minMeanWordLength;
  private final DoubleParam maxMeanWordLength;
  private final DoubleParam maxRepeatedLineFraction;
  private final DoubleParam maxSymbolRatio;

  public TextCleaner() {
    this(Identifiable$.MODULE$.randomUID("textCleaner"));
  }

  public TextCleaner(String uid) {
    // Params need the uid, so they are made here rather than in field initialisers.
    this.uid = uid;
    normalize = new BooleanParam(this, "normalize", "apply Unicode NFKC and the whitespace/control-char layout");
    redactEmail = new BooleanParam(this, "redactEmail", "replace e-mail addresses by [EMAIL]");
    redactPhone = new BooleanParam(this, "redactPhone", "replace phone numbers by [PHONE]");
    redactIpv4 = new BooleanParam(this, "redactIpv4", "replace IPv4 addresses by [IPV4]");
    redactIpv6 = new BooleanParam(this, "redactIpv6", "replace IPv6 addresses by [IPV6]");
    redactCard = new BooleanParam(this, "redactCard", "replace Luhn-valid payment card numbers by [CARD]");
    redactIban = new BooleanParam(this, "redactIban", "replace checksum-valid IBANs by [IBAN]");
    filterQuality = new BooleanParam(this, "filterQuality", "reject documents that fail a quality rule");
    minChars = new IntParam(this, "minChars", "minimum document length in chars", ParamValidators.gtEq(0));
    maxChars = new IntParam(this, "maxChars", "maximum document length in chars", ParamValidators.gtEq(1));
    minWords = new IntParam(this, "minWords", "minimum number of words", ParamValidators.gtEq(0));
    minAlphaRatio = new DoubleParam(this, "minAlphaRatio", "minimum share of letters among non-space chars",
        ParamValidators.inRange(0.0, 1.0));
    minMeanWordLength = new DoubleParam(this, "minMeanWordLength", "minimum mean word length",
        ParamValidators.gtEq(0.0));
    maxMeanWordLength = new DoubleParam(this, "maxMeanWordLength", "maximum mean word length",
        ParamValidators.gtEq(0.0));
    maxRepeatedLineFraction = new DoubleParam(this, "maxRepeatedLineFraction",
        "maximum share of non-blank lines that repeat an earlier line", ParamValidators.inRange(0.0, 1.0));
    maxSymbolRatio = new DoubleParam(this, "maxSymbolRatio", "maximum share of symbols among non-space chars",
        ParamValidators.inRange(0.0, 1.0));

    setDefault(normalize, true);
    for (BooleanParam p : List.of(redactEmail, redactPhone, redactIpv4, redactIpv6, redactCard, redactIban,
        filterQuality)) {
      setDefault(p, true);
    }
    QualityConfig q = QualityConfig.DEFAULTS;
    setDefault(minChars, q.minChars());
    setDefault(maxChars, q.maxChars());
    setDefault(minWords, q.minWords());
    setDefault(minAlphaRatio, q.minAlphaRatio());
    setDefault(minMeanWordLength, q.minMeanWordLength());
    setDefault(maxMeanWordLength, q.maxMeanWordLength());
    setDefault(maxRepeatedLineFraction, q.maxRepeatedLineFraction());
    setDefault(maxSymbolRatio, q.maxSymbolRatio());
  }

  @Override
  public String uid() {
    return uid;
  }

  // ------------------------------------------------------------------ params (public no-arg getters: Spark
  // discovers params by reflection on them)

  public BooleanParam normalize() {
    return normalize;
  }

  public BooleanParam redactEmail() {
    return redactEmail;
  }

  public BooleanParam redactPhone() {
    return redactPhone;
  }

  public BooleanParam redactIpv4() {
    return redactIpv4;
  }

  public BooleanParam redactIpv6() {
    return redactIpv6;
  }

  public BooleanParam redactCard() {
    return redactCard;
  }

  public BooleanParam redactIban() {
    return redactIban;
  }

  public BooleanParam filterQuality() {
    return filterQuality;
  }

  public IntParam minChars() {
    return minChars;
  }

  public IntParam maxChars() {
    return maxChars;
  }

  public IntParam minWords() {
    return minWords;
  }

  public DoubleParam minAlphaRatio() {
    return minAlphaRatio;
  }

  public DoubleParam minMeanWordLength() {
    return minMeanWordLength;
  }

  public DoubleParam maxMeanWordLength() {
    return maxMeanWordLength;
  }

  public DoubleParam maxRepeatedLineFraction() {
    return maxRepeatedLineFraction;
  }

  public DoubleParam maxSymbolRatio() {
    return maxSymbolRatio;
  }

  public TextCleaner setNormalize(boolean value) {
    set(normalize, value);
    return this;
  }

  /** Turns redaction of one PII type on or off. */
  public TextCleaner setRedact(PiiType type, boolean value) {
    set(redactParam(type), value);
    return this;
  }

  /** Redacts exactly the given types. */
  public TextCleaner setRedactTypes(java.util.Set<PiiType> types) {
    for (PiiType type : PiiType.values()) {
      setRedact(type, types.contains(type));
    }
    return this;
  }

  public TextCleaner setFilterQuality(boolean value) {
    set(filterQuality, value);
    return this;
  }

  /** Sets all quality thresholds at once. */
  public TextCleaner setQuality(QualityConfig q) {
    set(minChars, q.minChars());
    set(maxChars, q.maxChars());
    set(minWords, q.minWords());
    set(minAlphaRatio, q.minAlphaRatio());
    set(minMeanWordLength, q.minMeanWordLength());
    set(maxMeanWordLength, q.maxMeanWordLength());
    set(maxRepeatedLineFraction, q.maxRepeatedLineFraction());
    set(maxSymbolRatio, q.maxSymbolRatio());
    return this;
  }

  public TextCleaner setMinChars(int value) {
    set(minChars, value);
    return this;
  }

  public TextCleaner setMaxChars(int value) {
    set(maxChars, value);
    return this;
  }

  public TextCleaner setMinWords(int value) {
    set(minWords, value);
    return this;
  }

  public TextCleaner setMinAlphaRatio(double value) {
    set(minAlphaRatio, value);
    return this;
  }

  public TextCleaner setMinMeanWordLength(double value) {
    set(minMeanWordLength, value);
    return this;
  }

  public TextCleaner setMaxMeanWordLength(double value) {
    set(maxMeanWordLength, value);
    return this;
  }

  public TextCleaner setMaxRepeatedLineFraction(double value) {
    set(maxRepeatedLineFraction, value);
    return this;
  }

  public TextCleaner setMaxSymbolRatio(double value) {
    set(maxSymbolRatio, value);
    return this;
  }

  private BooleanParam redactParam(PiiType type) {
    switch (type) {
      case EMAIL:
        return redactEmail;
      case PHONE:
        return redactPhone;
      case IPV4:
        return redactIpv4;
      case IPV6:
        return redactIpv6;
      case CARD:
        return redactCard;
      case IBAN:
        return redactIban;
      default:
        throw new IllegalArgumentException("no redaction param for " + type);
    }
  }

  private boolean flag(BooleanParam p) {
    return (Boolean) getOrDefault(p);
  }

  private int intValue(IntParam p) {
    return (Integer) getOrDefault(p);
  }

  private double doubleValue(DoubleParam p) {
    return (Double) getOrDefault(p);
  }

  /** The thresholds as set (validated together: e.g. maxChars >= minChars). */
  public QualityConfig getQuality() {
    return new QualityConfig(intValue(minChars), intValue(maxChars), intValue(minWords),
        doubleValue(minAlphaRatio), doubleValue(minMeanWordLength), doubleValue(maxMeanWordLength),
        doubleValue(maxRepeatedLineFraction), doubleValue(maxSymbolRatio));
  }

  /** What the executors run, from the current params. */
  public CleanerSettings getSettings() {
    EnumSet<PiiType> redact = EnumSet.noneOf(PiiType.class);
    for (PiiType type : PiiType.values()) {
      if (flag(redactParam(type))) {
        redact.add(type);
      }
    }
    return new CleanerSettings(flag(normalize), redact, flag(filterQuality), getQuality());
  }

  // ------------------------------------------------------------------ schema and transform

  private static final DataType PII_TYPE =
      DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType, false);

  @Override
  public StructType transformSchema(StructType schema) {
    requireString(schema, TEXT);
    requireString(schema, REJECT_REASON);
    if (hasField(schema, SAMPLE)) {
      requireString(schema, SAMPLE);
    }
    for (String added : List.of(CHARS, CONTENT_HASH, PII)) {
      if (hasField(schema, added)) {
        throw new IllegalArgumentException("TextCleaner: input already has a column '" + added
            + "', which this stage adds; input columns: " + String.join(", ", schema.fieldNames()));
      }
    }
    return schema
        .add(CHARS, DataTypes.IntegerType, true)
        .add(CONTENT_HASH, DataTypes.StringType, true)
        .add(PII, PII_TYPE, true);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    getQuality(); // fail on the driver, with a clear message, if the thresholds contradict each other
    int sampleIndex = hasField(in, SAMPLE) ? in.fieldIndex(SAMPLE) : -1;
    CleanPartition fn = new CleanPartition(getSettings(), in.size(), in.fieldIndex(TEXT),
        in.fieldIndex(REJECT_REASON), sampleIndex);
    return dataset.toDF().mapPartitions(fn, Encoders.row(out));
  }

  @Override
  public TextCleaner copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<TextCleaner> read() {
    return new DefaultParamsReader<>();
  }

  public static TextCleaner load(String path) {
    return read().load(path);
  }

  private static boolean hasField(StructType schema, String name) {
    return schema.getFieldIndex(name).isDefined();
  }

  private static void requireString(StructType schema, String name) {
    if (!hasField(schema, name)) {
      throw new IllegalArgumentException("TextCleaner: input has no column '" + name + "'; input columns: "
          + String.join(", ", schema.fieldNames()));
    }
    StructField field = schema.apply(name);
    if (!field.dataType().equals(DataTypes.StringType)) {
      throw new IllegalArgumentException("TextCleaner: column '" + name + "' is " + field.dataType().simpleString()
          + "; allowed: string");
    }
  }

  /** One cleaner per partition; each row's values are copied once into the wider output row. */
  private static final class CleanPartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final CleanerSettings settings;
    private final int width;
    private final int textIndex;
    private final int rejectIndex;
    private final int sampleIndex;

    CleanPartition(CleanerSettings settings, int width, int textIndex, int rejectIndex, int sampleIndex) {
      this.settings = settings;
      this.width = width;
      this.textIndex = textIndex;
      this.rejectIndex = rejectIndex;
      this.sampleIndex = sampleIndex;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      DocumentCleaner cleaner = new DocumentCleaner(settings);
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row next() {
          return clean(cleaner, rows.next());
        }
      };
    }

    private Row clean(DocumentCleaner cleaner, Row row) {
      Object[] values = new Object[width + 3];
      for (int i = 0; i < width; i++) {
        values[i] = row.get(i);
      }
      if (values[rejectIndex] != null) {
        return RowFactory.create(values);
      }
      String text = (String) values[textIndex];
      if (text == null) {
        values[rejectIndex] = NULL_TEXT;
        return RowFactory.create(values);
      }
      CleanedDocument doc = cleaner.clean(text);
      values[textIndex] = doc.text();
      values[width] = doc.chars();
      values[width + 1] = doc.contentHash();
      values[width + 2] = JavaConverters.mapAsScalaMap(doc.pii());
      if (!doc.kept()) {
        values[rejectIndex] = doc.rejectReason();
        if (sampleIndex >= 0) {
          values[sampleIndex] = doc.text().substring(0, Math.min(SAMPLE_CHARS, doc.text().length()));
        }
      }
      return RowFactory.create(values);
    }
  }

  // ------------------------------------------------------------------ manifest helper

  /**
   * Counts for the manifest from an output of {@link #transform}: rows not rejected, rows by reject reason (the
   * readers' reasons and this stage's alike), and PII redactions summed over all rows this stage cleaned (kept
   * and quality-rejected alike: both had their text redacted; every type is present, 0 when none). Two small
   * aggregations; only the counts come to the driver.
   */
  public static CleanSummary summarize(Dataset<Row> cleaned) {
    Map<String, Long> rejects = new TreeMap<>();
    long kept = 0;
    for (Row r : cleaned.groupBy(col(REJECT_REASON)).count().collectAsList()) {
      if (r.isNullAt(0)) {
        kept = r.getLong(1);
      } else {
        rejects.put(r.getString(0), r.getLong(1));
      }
    }
    Map<String, Long> pii = new LinkedHashMap<>();
    for (PiiType type : PiiType.values()) {
      pii.put(type.key(), 0L);
    }
    Dataset<Row> exploded = cleaned.where(col(PII).isNotNull()).select(explode(col(PII)));
    for (Row r : exploded.groupBy(col("key")).agg(sum(col("value"))).collectAsList()) {
      pii.put(r.getString(0), r.getLong(1));
    }
    return new CleanSummary(kept, rejects, pii);
  }
}
