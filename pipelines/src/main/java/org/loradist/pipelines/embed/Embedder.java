package org.loradist.pipelines.embed;

import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.loradist.model.Precision;
import org.loradist.model.TextEmbedder;
import org.loradist.pipelines.infer.SparkTasks;
import org.loradist.pipelines.infer.TextGroupMapper;
import org.loradist.pipelines.infer.TextModelStage;

/**
 * Spark ML stage: appends an L2-normalised embedding ({@code array<float>}) of a text column, computed by a
 * transformer encoder (the bundled all-MiniLM-L6-v2, or a Hugging Face directory). One encoder per executor JVM;
 * each partition is embedded in length-sorted, dynamically padded batches within a token budget, with PyTorch's
 * intra-op threads set to the task's {@code spark.task.cpus}. A blank text gets a null embedding (the embed job
 * turns those into rejects), never a vector of nothing.
 */
public final class Embedder extends TextModelStage implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  /** Rows handed to the encoder at once: bounds memory while leaving room to sort by length. */
  private static final int GROUP_ROWS = 2048;

  private final IntParam batchTokens;
  private final Param<String> precision;

  public Embedder() {
    this(Identifiable.randomUID("embedder"));
  }

  public Embedder(String uid) {
    super(uid, "column holding the text to embed", "column receiving the embedding (array<float>)",
        "'default' (bundled all-MiniLM-L6-v2) or a Hugging Face directory (config.json, model.safetensors, "
            + "tokenizer.json)");
    batchTokens = new IntParam(this, "batchTokens", "padded tokens per batch (batch size x longest text)",
        ParamValidators.gtEq(16));
    precision = new Param<>(this, "precision", "compute precision: FP32 or BF16",
        ParamValidators.inArray(new String[] {"FP32", "BF16"}));
    setDefault(outputCol(), "embedding");
    setDefault(batchTokens, 8192);
    setDefault(precision, "FP32");
  }

  public static MLReader<Embedder> read() {
    return new DefaultParamsReadable<Embedder>() {}.read();
  }

  public static Embedder load(String path) {
    return read().load(path);
  }

  public IntParam batchTokens() {
    return batchTokens;
  }

  public Param<String> precision() {
    return precision;
  }

  public int getMaxTokens() {
    return (Integer) getOrDefault(maxTokens());
  }

  public int getBatchTokens() {
    return (Integer) getOrDefault(batchTokens);
  }

  public String getModelPath() {
    return getOrDefault(modelPath());
  }

  public Embedder setInputCol(String v) {
    set(inputCol(), v);
    return this;
  }

  public Embedder setOutputCol(String v) {
    set(outputCol(), v);
    return this;
  }

  public Embedder setModelPath(String v) {
    set(modelPath(), v);
    return this;
  }

  public Embedder setMaxTokens(int v) {
    set(maxTokens(), v);
    return this;
  }

  public Embedder setBatchTokens(int v) {
    set(batchTokens, v);
    return this;
  }

  public Embedder setPrecision(String v) {
    set(precision, v.toUpperCase());
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    String in = $(inputCol());
    if (!List.of(schema.fieldNames()).contains(in)) {
      throw new IllegalArgumentException("Embedder: input column '" + in + "' not found among " + List.of(schema.fieldNames()));
    }
    if (!schema.apply(in).dataType().equals(DataTypes.StringType)) {
      throw new IllegalArgumentException("Embedder: input column '" + in + "' must be a string, is "
          + schema.apply(in).dataType().simpleString());
    }
    if (List.of(schema.fieldNames()).contains($(outputCol()))) {
      throw new IllegalArgumentException("Embedder: output column '" + $(outputCol()) + "' already exists");
    }
    Precision p = Precision.valueOf($(precision));
    if (p.unavailableReason() != null) {
      throw new IllegalArgumentException("Embedder: precision " + p + " refused: " + p.unavailableReason());
    }
    return schema.add(new StructField($(outputCol()), DataTypes.createArrayType(DataTypes.FloatType, false), true,
        org.apache.spark.sql.types.Metadata.empty()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    int textIndex = dataset.schema().fieldIndex($(inputCol()));
    int max = getMaxTokens();
    EncoderCache.Key key = new EncoderCache.Key(getModelPath(), max, Precision.valueOf($(precision)));
    int budget = Math.max(getBatchTokens(), max);
    MapPartitionsFunction<Row, Row> embed = rows -> {
      TextEmbedder embedder = openEmbedder(key, budget);
      SparkTasks.onCompletion(embedder::close);
      return new TextGroupMapper(rows, textIndex, GROUP_ROWS, 1,
          texts -> TextGroupMapper.vectorValues(embedder.embed(texts)));
    };
    return dataset.toDF().mapPartitions(embed, Encoders.row(out));
  }

  /** This task's embedder over the JVM's shared encoder, with PyTorch's intra-op threads at the task's CPUs. */
  private static TextEmbedder openEmbedder(EncoderCache.Key key, int batchTokens) {
    EncoderCache.Loaded loaded = EncoderCache.get(key);
    TextEmbedder.Options options = TextEmbedder.Options.defaults().withMaxTokens(key.maxTokens())
        .withBatchTokens(batchTokens).withPrecision(key.precision()).withIntraOpThreads(SparkTasks.cpus());
    return new TextEmbedder(loaded.encoder(), loaded.tokenizer(), options);
  }

  @Override
  public Embedder copy(ParamMap extra) {
    return defaultCopy(extra);
  }
}
