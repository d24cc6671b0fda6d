package org.loradist.pipelines.finetune;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.loradist.lora.LoraConfig;
import org.loradist.train.lora.Examples;
import org.loradist.train.lora.LabeledText;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTraining;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.LoraTrainingResult;
import org.loradist.train.lora.TextPair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spark ML Estimator: LoRA finetuning of a transformer encoder, data-parallel across the executors (one barrier task
 * per worker; see {@code DataParallelTrainer}). {@code fit} collects the examples to the driver (training-set
 * sizes, not corpora), trains, and returns a {@link LoraModel}. Classification reads {@code textCol} and
 * {@code labelCol} (any type, by its string form; classes are the sorted distinct values); retrieval reads
 * {@code queryCol} and {@code passageCol} pairs (in-batch negatives over the whole global batch). Rows with a null
 * or blank field are left out and counted in the log; no usable row at all is an error.
 *
 * <p>Checkpoints and metrics go to {@code workDir}/fit-UUID (a fresh folder per fit). The default, empty, is a
 * temporary folder on the driver, which only a local master can use: on a cluster, set it to a path every
 * executor can write (the rank-0 task writes the checkpoints).
 */
public final class LoraFinetuner extends Estimator<LoraModel> implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(LoraFinetuner.class);

  private final String uid;
  private final Param<String> task;
  private final Param<String> textCol;
  private final Param<String> labelCol;
  private final Param<String> queryCol;
  private final Param<String> passageCol;
  private final Param<String> idCol;
  private final Param<String> modelPath;
  private final IntParam maxTokens;
  private final IntParam rank;
  private final DoubleParam alpha;
  private final DoubleParam dropout;
  private final StringArrayParam targets;
  private final LongParam maxSteps;
  private final DoubleParam epochs;
  private final IntParam batchSize;
  private final DoubleParam learningRate;
  private final LongParam seed;
  private final IntParam workers;
  private final IntParam checkpointEvery;
  private final Param<String> workDir;

  public LoraFinetuner() {
    this(Identifiable.randomUID("loraFinetuner"));
  }

  public LoraFinetuner(String uid) {
    this.uid = uid;
    task = new Param<>(this, "task", "classification or retrieval",
        ParamValidators.inArray(new String[] {"classification", "retrieval"}));
    textCol = new Param<>(this, "textCol", "classification: the text column; the fitted model reads it too");
    labelCol = new Param<>(this, "labelCol", "classification: the label column (any type, by its string form)");
    queryCol = new Param<>(this, "queryCol", "retrieval: the query column");
    passageCol = new Param<>(this, "passageCol", "retrieval: the passage column");
    idCol = new Param<>(this, "idCol", "optional column naming each example in messages; empty: the row number");
    modelPath = new Param<>(this, "modelPath",
        "'default' (bundled all-MiniLM-L6-v2) or a Hugging Face directory readable on every node");
    maxTokens = new IntParam(this, "maxTokens", "truncation in tokens, [CLS]/[SEP] included",
        ParamValidators.inRange(3, 8192));
    rank = new IntParam(this, "rank", "LoRA rank r", ParamValidators.gtEq(1));
    alpha = new DoubleParam(this, "alpha", "LoRA alpha (the update is scaled by alpha / r)", ParamValidators.gt(0));
    dropout = new DoubleParam(this, "dropout", "dropout on the adapter input", ParamValidators.inRange(0, 1, true,
        false));
    targets = new StringArrayParam(this, "targets",
        "module-name suffixes that get adapters (e.g. query, value, key, dense)");
    maxSteps = new LongParam(this, "maxSteps", "optimizer steps; 0: derive them from epochs", ParamValidators.gtEq(0));
    epochs = new DoubleParam(this, "epochs", "passes over the examples when maxSteps is 0", ParamValidators.gt(0));
    batchSize = new IntParam(this, "batchSize", "global batch per optimizer step", ParamValidators.gtEq(1));
    learningRate = new DoubleParam(this, "learningRate",
        "peak AdamW learning rate; 0: the task's default (classification 1e-3, retrieval 2e-4)",
        ParamValidators.gtEq(0));
    seed = new LongParam(this, "seed", "seed of data order, dropout and initialisation");
    workers = new IntParam(this, "workers", "data-parallel workers (barrier tasks; needs as many free slots)",
        ParamValidators.gtEq(1));
    checkpointEvery = new IntParam(this, "checkpointEvery", "steps per barrier stage, a checkpoint after each",
        ParamValidators.gtEq(1));
    workDir = new Param<>(this, "workDir",
        "folder (any Hadoop path) for checkpoints and metrics; empty: a local temporary folder (local masters only)");
    setDefault(task, "classification");
    setDefault(textCol, "text");
    setDefault(labelCol, "label");
    setDefault(queryCol, "query");
    setDefault(passageCol, "passage");
    setDefault(idCol, "");
    setDefault(modelPath, "default");
    setDefault(maxTokens, 128);
    setDefault(rank, 8);
    setDefault(alpha, 16.0);
    setDefault(dropout, 0.1);
    setDefault(targets, LoraConfig.DEFAULT_TARGETS.toArray(String[]::new));
    setDefault(maxSteps, 0L);
    setDefault(epochs, 1.0);
    setDefault(batchSize, 32);
    setDefault(learningRate, 0.0);
    setDefault(seed, 42L);
    setDefault(workers, 1);
    setDefault(checkpointEvery, 50);
    setDefault(workDir, "");
  }

  public static MLReader<LoraFinetuner> read() {
    return new DefaultParamsReadable<LoraFinetuner>() {}.read();
  }

  public static LoraFinetuner load(String path) {
    return read().load(path);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> task() { return task; }
  public Param<String> textCol() { return textCol; }
  public Param<String> labelCol() { return labelCol; }
  public Param<String> queryCol() { return queryCol; }
  public Param<String> passageCol() { return passageCol; }
  public Param<String> idCol() { return idCol; }
  public Param<String> modelPath() { return modelPath; }
  public IntParam maxTokens() { return maxTokens; }
  public IntParam rank() { return rank; }
  public DoubleParam alpha() { return alpha; }
  public DoubleParam dropout() { return dropout; }
  public StringArrayParam targets() { return targets; }
  public LongParam maxSteps() { return maxSteps; }
  public DoubleParam epochs() { return epochs; }
  public IntParam batchSize() { return batchSize; }
  public DoubleParam learningRate() { return learningRate; }
  public LongParam seed() { return seed; }
  public IntParam workers() { return workers; }
  public IntParam checkpointEvery() { return checkpointEvery; }
  public Param<String> workDir() { return workDir; }

  public LoraFinetuner setTask(String v) { set(task, v.trim().toLowerCase(Locale.ROOT)); return this; }
  public LoraFinetuner setTextCol(String v) { set(textCol, v); return this; }
  public LoraFinetuner setLabelCol(String v) { set(labelCol, v); return this; }
  public LoraFinetuner setQueryCol(String v) { set(queryCol, v); return this; }
  public LoraFinetuner setPassageCol(String v) { set(passageCol, v); return this; }
  public LoraFinetuner setIdCol(String v) { set(idCol, v); return this; }
  public LoraFinetuner setModelPath(String v) { set(modelPath, v); return this; }
  public LoraFinetuner setMaxTokens(int v) { set(maxTokens, v); return this; }
  public LoraFinetuner setRank(int v) { set(rank, v); return this; }
  public LoraFinetuner setAlpha(double v) { set(alpha, v); return this; }
  public LoraFinetuner setDropout(double v) { set(dropout, v); return this; }
  public LoraFinetuner setMaxSteps(long v) { set(maxSteps, v); return this; }
  public LoraFinetuner setEpochs(double v) { set(epochs, v); return this; }
  public LoraFinetuner setBatchSize(int v) { set(batchSize, v); return this; }
  public LoraFinetuner setLearningRate(double v) { set(learningRate, v); return this; }
  public LoraFinetuner setSeed(long v) { set(seed, v); return this; }
  public LoraFinetuner setWorkers(int v) { set(workers, v); return this; }
  public LoraFinetuner setCheckpointEvery(int v) { set(checkpointEvery, v); return this; }
  public LoraFinetuner setWorkDir(String v) { set(workDir, v); return this; }

  /** Target modules, as names or one comma-separated string ("query,value"). */
  public LoraFinetuner setTargets(String... v) {
    String[] names = Arrays.stream(v).flatMap(s -> Arrays.stream(s.split(","))).map(String::trim)
        .filter(s -> !s.isEmpty()).toArray(String[]::new);
    set(targets, names);
    return this;
  }

  public LoraTask getTask() {
    return LoraTask.parse($(task));
  }

  /** The training settings these Params describe. */
  public LoraTrainingConfig trainingConfig() {
    LoraTask t = getTask();
    LoraTrainingConfig.Builder b = LoraTrainingConfig.builder(t)
        .modelPath($(modelPath))
        .maxTokens((Integer) $(maxTokens))
        .lora(LoraConfig.of((Integer) $(rank), (Double) $(alpha), (Double) $(dropout), List.of($(targets))))
        .workers((Integer) $(workers))
        .batchSize((Integer) $(batchSize))
        .maxSteps((Long) $(maxSteps))
        .epochs((Double) $(epochs))
        .seed((Long) $(seed))
        .segmentSteps((Integer) $(checkpointEvery));
    double lr = (Double) $(learningRate);
    if (lr > 0) {
      b.lr(lr);
    }
    return b.build();
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<String> names = List.of(schema.fieldNames());
    List<Param<String>> needed = getTask() == LoraTask.CLASSIFICATION ? List.of(textCol, labelCol)
        : List.of(queryCol, passageCol);
    for (Param<String> p : needed) {
      if (!names.contains($(p))) {
        throw new IllegalArgumentException("LoraFinetuner (" + $(task) + "): column '" + $(p) + "' (" + p.name()
            + ") not found among " + names);
      }
    }
    return schema;
  }

  @Override
  public LoraModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    LoraTrainingConfig config = trainingConfig();
    Dataset<Row> rows = dataset.toDF();
    String id = $(idCol).isEmpty() ? null : $(idCol);
    String dir = runFolder();
    LoraTrainingResult result;
    if (config.task() == LoraTask.CLASSIFICATION) {
      Examples<LabeledText> ex = Examples.classification(rows, id, $(textCol), $(labelCol));
      report(ex);
      result = LoraTraining.trainClassifier(dataset.sparkSession(), ex.examples(), ex.labels(), List.of(), config,
          dir);
    } else {
      Examples<TextPair> ex = Examples.retrieval(rows, id, $(queryCol), $(passageCol));
      report(ex);
      result = LoraTraining.trainRetrieval(dataset.sparkSession(), ex.examples(), List.of(), config, dir);
    }
    FinetunedAdapter adapter = FinetunedAdapter.of(result.adapter(), config.task(), config.modelPath(),
        config.maxTokens(), result.labels());
    LoraModel model = new LoraModel(Identifiable.randomUID("loraModel"), adapter);
    model.setInputCol($(textCol));
    return model.setParent(this);
  }

  private String runFolder() {
    String base = $(workDir);
    if (base.isEmpty()) {
      try {
        base = Files.createTempDirectory("lora-finetune").toString();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary work folder: " + e.getMessage(), e);
      }
    }
    return (base.endsWith("/") ? base : base + "/") + "fit-" + UUID.randomUUID();
  }

  private void report(Examples<?> ex) {
    if (ex.examples().isEmpty()) {
      throw new IllegalArgumentException("LoraFinetuner: no usable rows (" + ex.rejects().size() + " left out"
          + (ex.rejects().isEmpty() ? "" : ", e.g. row " + ex.rejects().get(0).row() + ": "
          + ex.rejects().get(0).reason()) + ")");
    }
    if (!ex.rejects().isEmpty()) {
      LOG.warn("LoraFinetuner: {} rows left out (first: row {}: {})", ex.rejects().size(), ex.rejects().get(0).row(),
          ex.rejects().get(0).reason());
    }
  }

  @Override
  public LoraFinetuner copy(ParamMap extra) {
    return defaultCopy(extra);
  }
}
