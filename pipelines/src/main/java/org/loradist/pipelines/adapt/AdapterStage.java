package org.loradist.pipelines.adapt;

import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.loradist.lora.AdaptedModel;
import org.loradist.model.TorchThreads;
import org.loradist.pipelines.infer.SparkTasks;
import org.loradist.pipelines.infer.TextGroupMapper;
import org.loradist.pipelines.infer.TextModelStage;

/**
 * The common part of the stages that run a base model with a LoRA adapter over a text column: the adapter's params
 * beside {@link TextModelStage}'s, and a partition function that borrows one {@link AdaptedModel} per task from the
 * JVM's pool ({@link AdaptedModels}) and runs it group by group ({@link TextGroupMapper}). A blank text gets a null
 * output (the jobs turn those into rejects). With {@code truncatedCol} set, a boolean column says whether the text was
 * cut at {@code maxTokens}.
 */
public abstract class AdapterStage extends TextModelStage implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final int GROUP_ROWS = 1024;

  private final Param<String> truncatedCol;
  private final Param<String> adapterPath;
  private final BooleanParam merge;

  AdapterStage(String uid) {
    super(uid, "column holding the text", "column receiving the output (array<float>)",
        "'default' (bundled all-MiniLM-L6-v2) or a Hugging Face directory");
    truncatedCol = new Param<>(this, "truncatedCol", "boolean column saying the text was cut at maxTokens; '' for none");
    adapterPath = new Param<>(this, "adapterPath", "PEFT adapter directory; '' for the base model alone");
    merge = new BooleanParam(this, "merge", "fold the adapter into the weights (else a live LoRA branch)");
    setDefault(truncatedCol, "");
    setDefault(adapterPath, "");
    setDefault(merge, false);
  }

  public Param<String> truncatedCol() {
    return truncatedCol;
  }

  public Param<String> adapterPath() {
    return adapterPath;
  }

  public BooleanParam merge() {
    return merge;
  }

  /** What the model computes for a group of non-blank texts, one row each. */
  abstract float[][] compute(AdaptedModel model, List<String> texts);

  public AdapterStage setInputCol(String v) {
    set(inputCol(), v);
    return this;
  }

  public AdapterStage setOutputCol(String v) {
    set(outputCol(), v);
    return this;
  }

  public AdapterStage setTruncatedCol(String v) {
    set(truncatedCol, v);
    return this;
  }

  public AdapterStage setModelPath(String v) {
    set(modelPath(), v);
    return this;
  }

  /** null or "" for the base model alone. */
  public AdapterStage setAdapterPath(String v) {
    set(adapterPath, v == null ? "" : v);
    return this;
  }

  public AdapterStage setMaxTokens(int v) {
    set(maxTokens(), v);
    return this;
  }

  public AdapterStage setMerge(boolean v) {
    set(merge, v);
    return this;
  }

  AdapterSpec spec() {
    String adapter = $(adapterPath);
    return new AdapterSpec($(modelPath()), adapter.isEmpty() ? null : adapter, (Integer) $(maxTokens()),
        (Boolean) $(merge));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<String> names = List.of(schema.fieldNames());
    String in = $(inputCol());
    if (!names.contains(in) || !schema.apply(in).dataType().equals(DataTypes.StringType)) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": input column '" + in
          + "' must be a string column; columns: " + names);
    }
    if (names.contains($(outputCol()))) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": output column '" + $(outputCol())
          + "' already exists");
    }
    StructType out = schema.add(new StructField($(outputCol()), DataTypes.createArrayType(DataTypes.FloatType, false),
        true, Metadata.empty()));
    if (!$(truncatedCol).isEmpty()) {
      out = out.add(new StructField($(truncatedCol), DataTypes.BooleanType, true, Metadata.empty()));
    }
    return out;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    int textIndex = dataset.schema().fieldIndex($(inputCol()));
    AdapterSpec spec = spec();
    boolean flagTruncation = !$(truncatedCol).isEmpty();
    AdapterStage stage = this;
    MapPartitionsFunction<Row, Row> run = rows -> {
      int cpus = SparkTasks.cpus();
      if (cpus > 0) {
        TorchThreads.setIntraOpThreads(cpus);
      }
      AdaptedModel model = AdaptedModels.borrow(spec);
      SparkTasks.onCompletion(() -> AdaptedModels.release(spec, model));
      return new TextGroupMapper(rows, textIndex, GROUP_ROWS, flagTruncation ? 2 : 1,
          texts -> stage.appendedValues(model, texts, flagTruncation));
    };
    return dataset.toDF().mapPartitions(run, Encoders.row(out));
  }

  /** Each text's output, followed by whether it was cut at {@code maxTokens} when {@code flagTruncation}. */
  private Object[][] appendedValues(AdaptedModel model, List<String> texts, boolean flagTruncation) {
    float[][] computed = compute(model, texts);
    if (!flagTruncation) {
      return TextGroupMapper.vectorValues(computed);
    }
    Object[][] values = new Object[texts.size()][];
    for (int i = 0; i < texts.size(); i++) {
      boolean cut = model.tokenizer().encode(texts.get(i)).truncated();
      values[i] = new Object[] {TextGroupMapper.boxed(computed[i]), cut};
    }
    return values;
  }
}
