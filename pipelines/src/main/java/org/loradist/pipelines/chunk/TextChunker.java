package org.loradist.pipelines.chunk;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.loradist.pipelines.Schemas;

/**
 * Spark ML stage: a docs Dataset ({@link Schemas#DOCS}: doc_id, text, meta, ...) in, a chunks Dataset with exactly
 * {@link Schemas#CHUNKS} out, one row per chunk (see {@link Chunker} for how text is cut).
 *
 * <p>{@code chunk_id} is {@code doc_id + "#" + ordinal}: stable across runs for the same document text and
 * config, readable, and unique as long as doc ids are. {@code meta} is the document's {@code meta} map when the
 * input has a map&lt;string,string&gt; column named {@code meta}, else null. A document whose text is empty or
 * blank yields no chunk; a null id or null text is a broken docs contract and fails the job, naming the row.
 *
 * <p>Each executor JVM loads the tokenizer once ({@link Chunker#cached}), whatever the number of partitions.
 */
public final class TextChunker extends Transformer implements DefaultParamsWritable {
  private final String uid;
  private final Param<String> textCol;
  private final Param<String> idCol;
  private final IntParam maxTokens;
  private final IntParam overlapTokens;
  private final IntParam reservedTokens;
  private final Param<String> tokenizerPath;

  public TextChunker() {
    this(Identifiable$.MODULE$.randomUID("textChunker"));
  }

  public TextChunker(String uid) {
    this.uid = uid;
    textCol = new Param<>(this, "textCol", "column with the document text");
    idCol = new Param<>(this, "idCol", "column with the document id");
    maxTokens = new IntParam(this, "maxTokens",
        "embedder input length in tokens, special tokens included (>= 8)", ParamValidators.gtEq(8));
    overlapTokens = new IntParam(this, "overlapTokens",
        "tokens shared by consecutive chunks of a section (>= 0, at most half the content budget)",
        ParamValidators.gtEq(0));
    reservedTokens = new IntParam(this, "reservedTokens",
        "tokens kept free for a prefix the embedder adds (>= 0)", ParamValidators.gtEq(0));
    tokenizerPath = new Param<>(this, "tokenizerPath",
        "tokenizer.json path readable on every executor; unset = the default model's tokenizer");
    setDefault(textCol, "text");
    setDefault(idCol, "doc_id");
    setDefault(maxTokens, ChunkConfig.DEFAULT_MAX_TOKENS);
    setDefault(overlapTokens, ChunkConfig.DEFAULT_OVERLAP_TOKENS);
    setDefault(reservedTokens, 0);
  }

  public static MLReader<TextChunker> read() {
    return new DefaultParamsReadable<TextChunker>() {}.read();
  }

  public static TextChunker load(String path) {
    return read().load(path);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> textCol() {
    return textCol;
  }

  public Param<String> idCol() {
    return idCol;
  }

  public IntParam maxTokens() {
    return maxTokens;
  }

  public IntParam overlapTokens() {
    return overlapTokens;
  }

  public IntParam reservedTokens() {
    return reservedTokens;
  }

  public Param<String> tokenizerPath() {
    return tokenizerPath;
  }

  public String getTextCol() {
    return $(textCol);
  }

  public String getIdCol() {
    return $(idCol);
  }

  public int getMaxTokens() {
    return (Integer) $(maxTokens);
  }

  public int getOverlapTokens() {
    return (Integer) $(overlapTokens);
  }

  public int getReservedTokens() {
    return (Integer) $(reservedTokens);
  }

  /** The tokenizer.json path, or null for the default model. */
  public String getTokenizerPath() {
    return isDefined(tokenizerPath) ? $(tokenizerPath) : null;
  }

  public TextChunker setTextCol(String value) {
    set(textCol, value);
    return this;
  }

  public TextChunker setIdCol(String value) {
    set(idCol, value);
    return this;
  }

  public TextChunker setMaxTokens(int value) {
    set(maxTokens, value);
    return this;
  }

  public TextChunker setOverlapTokens(int value) {
    set(overlapTokens, value);
    return this;
  }

  public TextChunker setReservedTokens(int value) {
    set(reservedTokens, value);
    return this;
  }

  /** null = the default model's tokenizer. */
  public TextChunker setTokenizerPath(String value) {
    if (value == null) {
      clear(tokenizerPath);
    } else {
      set(tokenizerPath, value);
    }
    return this;
  }

  public ChunkConfig chunkConfig() {
    return new ChunkConfig(getMaxTokens(), getOverlapTokens(), getReservedTokens());
  }

  @Override
  public StructType transformSchema(StructType schema) {
    requireString(schema, getIdCol(), "idCol");
    requireString(schema, getTextCol(), "textCol");
    return Schemas.CHUNKS;
  }

  private static void requireString(StructType schema, String column, String param) {
    if (!Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new IllegalArgumentException("TextChunker: " + param + " column '" + column + "' is not in the input;"
          + " columns are " + String.join(", ", schema.fieldNames()));
    }
    DataType type = schema.apply(column).dataType();
    if (!type.equals(DataTypes.StringType)) {
      throw new IllegalArgumentException("TextChunker: " + param + " column '" + column + "' must be a string,"
          + " it is " + type.simpleString());
    }
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    ChunkConfig config = chunkConfig();
    String path = getTokenizerPath();
    // fail on the driver, with the offending value, before any task runs
    Chunker.cached(path, config);
    String idName = getIdCol();
    String textName = getTextCol();
    DataType metaType = Schemas.CHUNKS.apply("meta").dataType();
    Column meta = hasField(dataset.schema(), "meta", metaType) ? col("meta") : lit(null).cast(metaType);
    Dataset<Row> input = dataset.select(col(idName), col(textName), meta);
    FlatMapFunction<Row, Row> toChunks = row -> {
      Chunker chunker = Chunker.cached(path, config); // a map lookup: the tokenizer is loaded once per JVM
      String docId = row.getString(0);
      String text = row.getString(1);
      if (docId == null) {
        throw new IllegalArgumentException("TextChunker: column '" + idName + "' is null in a row whose text starts '"
            + (text == null ? "null" : text.substring(0, Math.min(60, text.length()))) + "'");
      }
      if (text == null) {
        throw new IllegalArgumentException("TextChunker: column '" + textName + "' is null for " + idName + " '"
            + docId + "'");
      }
      Object docMeta = row.get(2);
      List<Chunk> chunks = chunker.chunk(text);
      List<Row> out = new ArrayList<>(chunks.size());
      for (Chunk c : chunks) {
        out.add(RowFactory.create(docId + "#" + c.ordinal(), docId, c.ordinal(), c.text(), c.startChar(),
            c.endChar(), c.nTokens(), c.headings().toArray(new String[0]), docMeta));
      }
      return out.iterator();
    };
    return input.flatMap(toChunks, Encoders.row(Schemas.CHUNKS));
  }

  private static boolean hasField(StructType schema, String name, DataType type) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name) && f.dataType().sameType(type)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public TextChunker copy(ParamMap extra) {
    return defaultCopy(extra);
  }
}
