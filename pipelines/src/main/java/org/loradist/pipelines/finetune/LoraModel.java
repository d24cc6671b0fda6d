package org.loradist.pipelines.finetune;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.loradist.lora.AdaptedModel;
import org.loradist.pipelines.infer.SparkTasks;
import org.loradist.pipelines.infer.TextGroupMapper;
import org.loradist.train.lora.LoraTask;
import scala.Option;

/**
 * What {@link LoraFinetuner#fit} returns: the base model with the trained adapter. A classification model appends
 * {@code prediction} (class index, double, as MLlib's classifiers), {@code probability} (softmax, ml Vector) and
 * {@code predicted_label} (the class name) for the text in {@code inputCol}; a retrieval model appends
 * {@code embedding} (L2-normalised, {@code array<float>}). A null or blank text gets nulls. Each partition merges
 * the adapter into its own copy of the adapted weights (the frozen base loads once per executor JVM).
 *
 * <p>Saved as the Spark ML metadata plus {@code adapter/}, the same PEFT + {@code lora_dist.json} folder that
 * {@code lora-dist train} writes, so {@link #fromAdapter} also loads the train command's output.
 */
public final class LoraModel extends Model<LoraModel> implements MLWritable {
  private static final long serialVersionUID = 1L;
  private static final int GROUP_ROWS = 512;
  static final String ADAPTER_DIR = "adapter";

  private final String uid;
  private final FinetunedAdapter adapter;
  private final Param<String> inputCol;
  private final Param<String> predictionCol;
  private final Param<String> probabilityCol;
  private final Param<String> predictedLabelCol;
  private final Param<String> embeddingCol;

  public LoraModel(String uid, FinetunedAdapter adapter) {
    this.uid = uid;
    this.adapter = adapter;
    inputCol = new Param<>(this, "inputCol", "column holding the text to classify or embed");
    predictionCol = new Param<>(this, "predictionCol", "classification: predicted class index (double)");
    probabilityCol = new Param<>(this, "probabilityCol", "classification: class probabilities (ml Vector)");
    predictedLabelCol = new Param<>(this, "predictedLabelCol", "classification: predicted class name");
    embeddingCol = new Param<>(this, "embeddingCol", "retrieval: L2-normalised embedding (array<float>)");
    setDefault(inputCol, "text");
    setDefault(predictionCol, "prediction");
    setDefault(probabilityCol, "probability");
    setDefault(predictedLabelCol, "predicted_label");
    setDefault(embeddingCol, "embedding");
  }

  /** A model from an adapter folder (any Hadoop path) written by {@code lora-dist train} or {@link #write}. */
  public static LoraModel fromAdapter(String adapterDir, org.apache.hadoop.conf.Configuration conf)
      throws IOException {
    return new LoraModel(Identifiable.randomUID("loraModel"), FinetunedAdapter.read(adapterDir, conf));
  }

  @Override
  public String uid() {
    return uid;
  }

  public FinetunedAdapter adapter() {
    return adapter;
  }

  public LoraTask task() {
    return adapter.task();
  }

  /** Class names by index (what {@code prediction} indexes), empty for retrieval. */
  public List<String> labels() {
    return adapter.labels();
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> predictedLabelCol() {
    return predictedLabelCol;
  }

  public Param<String> embeddingCol() {
    return embeddingCol;
  }

  public LoraModel setInputCol(String v) {
    set(inputCol, v);
    return this;
  }

  public LoraModel setPredictionCol(String v) {
    set(predictionCol, v);
    return this;
  }

  public LoraModel setProbabilityCol(String v) {
    set(probabilityCol, v);
    return this;
  }

  public LoraModel setPredictedLabelCol(String v) {
    set(predictedLabelCol, v);
    return this;
  }

  public LoraModel setEmbeddingCol(String v) {
    set(embeddingCol, v);
    return this;
  }

  private boolean classifies() {
    return adapter.task() == LoraTask.CLASSIFICATION;
  }

  private List<String> outputColumns() {
    return classifies() ? List.of($(predictionCol), $(probabilityCol), $(predictedLabelCol)) : List.of($(embeddingCol));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    String in = $(inputCol);
    List<String> names = List.of(schema.fieldNames());
    if (!names.contains(in)) {
      throw new IllegalArgumentException("LoraModel: input column '" + in + "' not found among " + names);
    }
    if (!schema.apply(in).dataType().equals(DataTypes.StringType)) {
      throw new IllegalArgumentException("LoraModel: input column '" + in + "' must be a string, is "
          + schema.apply(in).dataType().simpleString());
    }
    for (String out : outputColumns()) {
      if (names.contains(out)) {
        throw new IllegalArgumentException("LoraModel: output column '" + out + "' already exists");
      }
    }
    if (classifies()) {
      return schema.add(new StructField($(predictionCol), DataTypes.DoubleType, true, Metadata.empty()))
          .add(new StructField($(probabilityCol), SQLDataTypes.VectorType(), true, Metadata.empty()))
          .add(new StructField($(predictedLabelCol), DataTypes.StringType, true, Metadata.empty()));
    }
    return schema.add(new StructField($(embeddingCol), DataTypes.createArrayType(DataTypes.FloatType, false), true,
        Metadata.empty()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    int textIndex = dataset.schema().fieldIndex($(inputCol));
    FinetunedAdapter shipped = adapter;
    boolean classify = classifies();
    MapPartitionsFunction<Row, Row> apply = rows -> {
      AdaptedModel model = AdaptedModel.load(shipped.modelPath(), shipped.peft(), shipped.maxTokens());
      SparkTasks.onCompletion(model::close);
      return new TextGroupMapper(rows, textIndex, GROUP_ROWS, classify ? 3 : 1,
          texts -> classify ? predictions(model.logits(texts), shipped.labels())
              : TextGroupMapper.vectorValues(model.embed(texts)));
    };
    return dataset.toDF().mapPartitions(apply, Encoders.row(out));
  }

  @Override
  public LoraModel copy(ParamMap extra) {
    LoraModel copied = new LoraModel(uid, adapter);
    return copyValues(copied, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<LoraModel> read() {
    return new Reader();
  }

  public static LoraModel load(String path) {
    return read().load(path);
  }

  private static final class Writer extends MLWriter {
    private final LoraModel model;

    Writer(LoraModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
      try {
        model.adapter.write(new Path(path, ADAPTER_DIR).toString(), sc().hadoopConfiguration());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot save the adapter under " + path + ": " + e.getMessage(), e);
      }
    }
  }

  private static final class Reader extends MLReader<LoraModel> {
    @Override
    public LoraModel load(String path) {
      DefaultParamsReader.Metadata metadata =
          DefaultParamsReader$.MODULE$.loadMetadata(path, sc(), LoraModel.class.getName());
      FinetunedAdapter adapter;
      try {
        adapter = FinetunedAdapter.read(new Path(path, ADAPTER_DIR).toString(), sc().hadoopConfiguration());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot load the adapter of " + path + ": " + e.getMessage(), e);
      }
      LoraModel model = new LoraModel(metadata.uid(), adapter);
      metadata.getAndSetParams(model, Option.empty());
      return model;
    }
  }

  /** Per text: the predicted class index, the softmax probabilities and the predicted class name. */
  private static Object[][] predictions(float[][] logits, List<String> labels) {
    Object[][] values = new Object[logits.length][];
    for (int i = 0; i < logits.length; i++) {
      values[i] = prediction(logits[i], labels);
    }
    return values;
  }

  private static Object[] prediction(float[] logits, List<String> labels) {
    double max = Double.NEGATIVE_INFINITY;
    int best = 0;
    for (int c = 0; c < logits.length; c++) {
      if (logits[c] > max) {
        max = logits[c];
        best = c;
      }
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int c = 0; c < logits.length; c++) {
      p[c] = Math.exp(logits[c] - max);
      sum += p[c];
    }
    for (int c = 0; c < p.length; c++) {
      p[c] /= sum;
    }
    return new Object[] {(double) best, Vectors.dense(p), labels.get(best)};
  }
}
