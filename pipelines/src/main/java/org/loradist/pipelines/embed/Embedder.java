package org.loradist.pipelines.embed;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
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
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.loradist.model.DefaultModel;
import org.loradist.model.Precision;
import org.loradist.model.TextEmbedder;

/**
 * Spark ML stage: appends an L2-normalised embedding ({@code array<float>}) of a text column, computed by a
 * transformer encoder (the bundled all-MiniLM-L6-v2, or a Hugging Face directory). One encoder per executor JVM;
 * each partition is embedded in length-sorted, dynamically padded batches within a token budget, with PyTorch's
 * intra-op threads set to the task's {@code spark.task.cpus}. A blank text gets a null embedding (the embed job
 * turns those into rejects), never a vector of nothing.
 */
public final class Embedder extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  /** Rows handed to the encoder at once: bounds memory while leaving room to sort by length. */
  private static final int GROUP_ROWS = 2048;

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> modelPath;
  private final IntParam maxTokens;
  private final IntParam batchTokens;
  private final Param<String> precision;

  public Embedder() {
    this(Identifiable.randomUID("embedder"));
  }

  public Embedder(String uid) {
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol", "column holding the text to embed");
    outputCol = new Param<>(this, "outputCol", "column receiving the embedding (array<float>)");
    modelPath = new Param<>(this, "modelPath",
        "'default' (bundled all-MiniLM-L6-v2) or a Hugging Face directory (config.json, model.safetensors, tokenizer.json)");
    maxTokens = new IntParam(this, "maxTokens", "truncation length in tokens, [CLS]/[SEP] included",
        ParamValidators.inRange(3, 8192));
    batchTokens = new IntParam(this, "batchTokens", "padded tokens per batch (batch size x longest text)",
        ParamValidators.gtEq(16));
    precision = new Param<>(this, "precision", "compute precision: FP32 or BF16",
        ParamValidators.inArray(new String[] {"FP32", "BF16"}));
    setDefault(inputCol, "text");
    setDefault(outputCol, "embedding");
    setDefault(modelPath, "default");
    setDefault(maxTokens, DefaultModel.DEFAULT_MAX_TOKENS);
    setDefault(batchTokens, 8192);
    setDefault(precision, "FP32");
  }

  public static MLReader<Embedder> read() {
    return new DefaultParamsReadable<Embedder>() {}.read();
  }

  public static Embedder load(String path) {
    return read().load(path);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public IntParam maxTokens() {
    return maxTokens;
  }

  public IntParam batchTokens() {
    return batchTokens;
  }

  public Param<String> precision() {
    return precision;
  }

  public int getMaxTokens() {
    return (Integer) getOrDefault(maxTokens);
  }

  public int getBatchTokens() {
    return (Integer) getOrDefault(batchTokens);
  }

  public String getModelPath() {
    return getOrDefault(modelPath);
  }

  public Embedder setInputCol(String v) {
    set(inputCol, v);
    return this;
  }

  public Embedder setOutputCol(String v) {
    set(outputCol, v);
    return this;
  }

  public Embedder setModelPath(String v) {
    set(modelPath, v);
    return this;
  }

  public Embedder setMaxTokens(int v) {
    set(maxTokens, v);
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
    String in = $(inputCol);
    if (!List.of(schema.fieldNames()).contains(in)) {
      throw new IllegalArgumentException("Embedder: input column '" + in + "' not found among " + List.of(schema.fieldNames()));
    }
    if (!schema.apply(in).dataType().equals(DataTypes.StringType)) {
      throw new IllegalArgumentException("Embedder: input column '" + in + "' must be a string, is "
          + schema.apply(in).dataType().simpleString());
    }
    if (List.of(schema.fieldNames()).contains($(outputCol))) {
      throw new IllegalArgumentException("Embedder: output column '" + $(outputCol) + "' already exists");
    }
    Precision p = Precision.valueOf($(precision));
    if (p.unavailableReason() != null) {
      throw new IllegalArgumentException("Embedder: precision " + p + " refused: " + p.unavailableReason());
    }
    return schema.add(new StructField($(outputCol), DataTypes.createArrayType(DataTypes.FloatType, false), true,
        org.apache.spark.sql.types.Metadata.empty()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    int textIndex = dataset.schema().fieldIndex($(inputCol));
    int max = getMaxTokens();
    EncoderCache.Key key = new EncoderCache.Key(getModelPath(), max, Precision.valueOf($(precision)));
    int budget = Math.max(getBatchTokens(), max);
    MapPartitionsFunction<Row, Row> embed = rows -> new EmbeddingIterator(rows, textIndex, key, budget);
    return dataset.toDF().mapPartitions(embed, Encoders.row(out));
  }

  @Override
  public Embedder copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Embeds a partition group by group, so a large partition never sits in memory whole. */
  private static final class EmbeddingIterator implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final int textIndex;
    private final TextEmbedder embedder;
    private List<Row> group = List.of();
    private float[][] vectors;
    private int next;

    EmbeddingIterator(Iterator<Row> rows, int textIndex, EncoderCache.Key key, int batchTokens) {
      this.rows = rows;
      this.textIndex = textIndex;
      TaskContext task = TaskContext.get();
      int threads = task == null ? 0 : Math.max(1, task.cpus());
      EncoderCache.Loaded loaded = EncoderCache.get(key);
      TextEmbedder.Options options = TextEmbedder.Options.defaults().withMaxTokens(key.maxTokens())
          .withBatchTokens(batchTokens).withPrecision(key.precision()).withIntraOpThreads(threads);
      this.embedder = new TextEmbedder(loaded.encoder(), loaded.tokenizer(), options);
      if (task != null) {
        task.addTaskCompletionListener((TaskCompletionListener) ctx -> embedder.close());
      }
    }

    @Override
    public boolean hasNext() {
      if (next < group.size()) {
        return true;
      }
      if (!rows.hasNext()) {
        return false;
      }
      List<Row> batch = new ArrayList<>(GROUP_ROWS);
      while (rows.hasNext() && batch.size() < GROUP_ROWS) {
        batch.add(rows.next());
      }
      List<String> texts = new ArrayList<>();
      for (Row r : batch) {
        String t = r.isNullAt(textIndex) ? null : r.getString(textIndex);
        if (t != null && !t.isBlank()) {
          texts.add(t);
        }
      }
      float[][] embedded = texts.isEmpty() ? new float[0][] : embedder.embed(texts);
      vectors = new float[batch.size()][];
      for (int i = 0, j = 0; i < batch.size(); i++) {
        Row r = batch.get(i);
        String t = r.isNullAt(textIndex) ? null : r.getString(textIndex);
        vectors[i] = t != null && !t.isBlank() ? embedded[j++] : null;
      }
      group = batch;
      next = 0;
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row r = group.get(next);
      float[] v = vectors[next++];
      Object[] values = new Object[r.length() + 1];
      for (int i = 0; i < r.length(); i++) {
        values[i] = r.get(i);
      }
      values[r.length()] = v == null ? null : toBoxed(v);
      return RowFactory.create(values);
    }

    private static Float[] toBoxed(float[] v) {
      Float[] b = new Float[v.length];
      for (int i = 0; i < v.length; i++) {
        b[i] = v[i];
      }
      return b;
    }
  }
}
