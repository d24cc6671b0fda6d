package org.loradist.jobs.train;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.TrainSettings;
import org.loradist.pipelines.embed.Embedder;
import org.loradist.pipelines.finetune.FinetunedAdapter;
import org.loradist.pipelines.finetune.LoraModel;
import org.loradist.train.lora.Evaluation;
import org.loradist.train.lora.Examples;
import org.loradist.train.lora.LabeledText;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTraining;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.LoraTrainingResult;
import org.loradist.train.lora.Reject;

/**
 * Text → label: the text and label fields; classes are the training labels' distinct values, sorted. Baseline:
 * Spark MLlib logistic regression on the frozen base model's embeddings of the same training texts.
 */
final class ClassificationTask implements TrainTask {
  /** Candidates for the baseline's L2 penalty, chosen on every 5th training example held out. */
  private static final double[] REG_PARAMS = {1e-4, 1e-3, 1e-2};
  /** Below this many training examples the hold-out is too small to choose a penalty by: 1e-3 is used. */
  private static final int MIN_EXAMPLES_TO_CHOOSE = 500;
  private static final double DEFAULT_REG_PARAM = 1e-3;

  @Override
  public LoraTask loraTask() {
    return LoraTask.CLASSIFICATION;
  }

  @Override
  public void validate(JobConfig c) {
    String text = c.string(TrainSettings.TEXT_FIELD);
    String label = c.string(TrainSettings.LABEL_FIELD);
    InputPeek train = InputPeek.of(c.string(TrainSettings.TRAIN), label, "--train");
    if (train != null) {
      requireTextAndLabel(train, text, label);
      if (train.complete() && train.values().size() < 2) {
        throw new ConfigException(train.path() + ": classification needs at least 2 distinct labels in field '"
            + label + "', found " + train.values().size() + ": " + train.values());
      }
    }
    if (!c.string(TrainSettings.EVAL).isEmpty()) {
      InputPeek eval = InputPeek.of(c.string(TrainSettings.EVAL), null, "--eval");
      if (eval != null) {
        requireTextAndLabel(eval, text, label);
      }
    }
    if (!c.string(TrainSettings.REPLAY).isEmpty()) {
      InputPeek replay = InputPeek.of(c.string(TrainSettings.REPLAY), null, "--replay");
      if (replay != null) {
        replay.require(text, "text", "--text-field", TrainSettings.TEXT_FIELD.key());
      }
    }
  }

  private static void requireTextAndLabel(InputPeek p, String text, String label) {
    p.require(text, "text", "--text-field", TrainSettings.TEXT_FIELD.key());
    p.require(label, "label", "--label-field", TrainSettings.LABEL_FIELD.key());
  }

  @Override
  public TrainTask.Prepared prepare(SparkSession spark, JobConfig c) {
    String id = c.string(TrainSettings.ID_FIELD);
    String textField = c.string(TrainSettings.TEXT_FIELD);
    String labelField = c.string(TrainSettings.LABEL_FIELD);
    InputRejects rejects = new InputRejects();

    TrainInput.Read train = TrainInput.read(spark, c.string(TrainSettings.TRAIN), "--train");
    Examples<LabeledText> ex = examples(train.path(),
        () -> Examples.classification(train.rows(), id, textField, labelField));
    List<String> labels = ex.labels();
    if (labels.size() < 2) {
      throw new ConfigException(train.path() + ": classification needs at least 2 distinct labels in field '"
          + labelField + "', found " + labels.size() + ": " + labels);
    }
    rejects.add("train", train, ex);

    List<LabeledText> eval = null;
    if (!c.string(TrainSettings.EVAL).isEmpty()) {
      TrainInput.Read read = TrainInput.read(spark, c.string(TrainSettings.EVAL), "--eval");
      Examples<LabeledText> evalEx = examples(read.path(),
          () -> Examples.classification(read.rows(), id, textField, labelField));
      // eval labels index the eval set's own label list: map them onto the training classes by name
      Map<String, Integer> index = new HashMap<>();
      labels.forEach(l -> index.put(l, index.size()));
      eval = new ArrayList<>();
      List<Reject> evalRejects = new ArrayList<>(evalEx.rejects());
      for (LabeledText t : evalEx.examples()) {
        String name = evalEx.labels().get(t.label());
        Integer i = index.get(name);
        if (i == null) {
          evalRejects.add(new Reject(-1, t.id(), "label '" + name + "' is not among the training labels"));
        } else {
          eval.add(new LabeledText(t.id(), t.text(), i));
        }
      }
      if (eval.isEmpty()) {
        throw new ConfigException(read.path() + ": no evaluation example has a training label (" + evalRejects.size()
            + " rejected)");
      }
      rejects.add("eval", read, eval.size(), evalRejects);
    }

    List<LabeledText> replay = List.of();
    if (!c.string(TrainSettings.REPLAY).isEmpty()) {
      TrainInput.Read read = TrainInput.read(spark, c.string(TrainSettings.REPLAY), "--replay");
      Examples<LabeledText> replayEx = replay(read, id, textField, labelField, labels);
      replay = replayEx.examples();
      rejects.add("replay", read, replayEx);
      if (replay.isEmpty()) {
        throw new ConfigException(read.path() + ": no usable replay example");
      }
      boolean anyLabelled = replay.stream().anyMatch(t -> t.label() != LabeledText.UNLABELLED);
      if (!anyLabelled && c.decimal(TrainSettings.REPLAY_PENALTY) == 0) {
        throw new ConfigException(read.path() + ": no replay example carries a training label, so only the replay "
            + "penalty could act on them; set --replay-penalty above 0 (config key 'train.replay-penalty')");
      }
    }
    return new Prepared(ex.examples(), labels, eval, replay, rejects, c.string(TrainSettings.MODEL),
        c.integer(TrainSettings.MAX_TOKENS));
  }

  static <E> Examples<E> examples(String path, Supplier<Examples<E>> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path + ": " + e.getMessage());
    }
  }

  /** Replay rows: text required; a label that is one of the training classes is used, any other is left unlabelled. */
  private static Examples<LabeledText> replay(TrainInput.Read read, String idField, String textField,
      String labelField, List<String> labels) {
    List<String> columns = List.of(read.rows().columns());
    if (!columns.contains(textField)) {
      throw new ConfigException(read.path() + ": no text field '" + textField + "' (--text-field); columns are "
          + columns);
    }
    boolean hasLabel = columns.contains(labelField);
    boolean hasId = !idField.isEmpty() && columns.contains(idField);
    List<String> select = new ArrayList<>(List.of(textField));
    select.add(hasLabel ? labelField : textField);
    select.add(hasId ? idField : textField);
    List<Row> rows = read.rows().select(select.stream().map(n -> col(n).cast(DataTypes.StringType)).toArray(
        org.apache.spark.sql.Column[]::new)).collectAsList();
    Map<String, Integer> index = new HashMap<>();
    labels.forEach(l -> index.put(l, index.size()));
    List<LabeledText> out = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String id = hasId && !r.isNullAt(2) ? r.getString(2) : "row-" + i;
      String text = r.getString(0);
      if (text == null || text.isBlank()) {
        rejects.add(new Reject(i, id, "field '" + textField + "' is null or blank"));
        continue;
      }
      Integer label = hasLabel && !r.isNullAt(1) ? index.get(r.getString(1)) : null;
      out.add(new LabeledText("replay-" + id, text, label == null ? LabeledText.UNLABELLED : label));
    }
    return new Examples<>(out, labels, rejects);
  }

  /** Also read by {@link DecoderClassificationTask}, which trains and evaluates the same examples on a decoder. */
  record Prepared(List<LabeledText> train, List<String> labels, List<LabeledText> eval,
      List<LabeledText> replay, InputRejects rejects, String modelPath, int maxTokens) implements TrainTask.Prepared {

    @Override
    public String describe() {
      return train.size() + " examples, " + labels.size() + " classes" + (eval == null ? "" : ", " + eval.size()
          + " evaluation examples") + (replay.isEmpty() ? "" : ", " + replay.size() + " replay examples");
    }

    @Override
    public LoraTrainingResult train(SparkSession spark, LoraTrainingConfig config, String dir, String resumeFrom) {
      return LoraTraining.trainClassifier(spark, train, labels, replay, config, dir, resumeFrom);
    }

    @Override
    public EvalReport evaluate(SparkSession spark, FinetunedAdapter adapter) {
      if (eval == null) {
        return null;
      }
      long t0 = System.nanoTime();
      int[] gold = eval.stream().mapToInt(LabeledText::label).toArray();
      TextBatch evalTexts = new TextBatch(spark, eval.stream().map(LabeledText::text).toList());
      LoraModel model = new LoraModel(Identifiable.randomUID("loraModel"), adapter).setInputCol(TextBatch.TEXT);
      int[] predicted = evalTexts.run(model, "prediction").stream().mapToInt(p -> (int) (double) (Double) p)
          .toArray();
      Evaluation.ClassificationMetrics tuned = Evaluation.classification(gold, predicted, labels.size());
      long t1 = System.nanoTime();

      Embedder base = new Embedder().setInputCol(TextBatch.TEXT).setOutputCol("embedding").setModelPath(modelPath)
          .setMaxTokens(maxTokens);
      float[][] trainX = new TextBatch(spark, train.stream().map(LabeledText::text).toList()).vectors(base,
          "embedding");
      float[][] evalX = evalTexts.vectors(base, "embedding");
      double[] fitInfo = new double[2];
      int[] baselinePredicted = logisticRegression(spark, trainX, train.stream().mapToInt(LabeledText::label)
          .toArray(), evalX, fitInfo);
      Evaluation.ClassificationMetrics baseline = Evaluation.classification(gold, baselinePredicted, labels.size());

      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("eval_examples", eval.size());
      facts.put("classes", labels.size());
      facts.put("labels", labels);
      facts.put("baseline_reg_param", fitInfo[0]);
      facts.put("baseline_iterations", (int) fitInfo[1]);
      facts.put("lora_eval_seconds", Math.round((t1 - t0) / 1e7) / 100.0);
      facts.put("baseline_seconds", Math.round((System.nanoTime() - t1) / 1e7) / 100.0);
      return new EvalReport("classification", metrics(tuned), metrics(baseline),
          "logistic regression (Spark MLlib) on frozen base-model embeddings", "accuracy", facts, true);
    }

    private static Map<String, Double> metrics(Evaluation.ClassificationMetrics m) {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put("accuracy", m.accuracy());
      out.put("macro_f1", m.macroF1());
      return out;
    }
  }

  /**
   * Multinomial logistic regression on embeddings: the L2 penalty chosen on every 5th training example held out
   * (with at least {@value #MIN_EXAMPLES_TO_CHOOSE} examples), then refit on all of them. Returns the predicted class of each evaluation vector; {@code chosen[0]} gets the
   * penalty.
   */
  static int[] logisticRegression(SparkSession spark, float[][] trainX, int[] trainY, float[][] evalX,
      double[] fitInfo) {
    StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
    List<Row> fit = new ArrayList<>();
    List<Row> held = new ArrayList<>();
    List<Row> all = new ArrayList<>();
    for (int i = 0; i < trainX.length; i++) {
      Row r = RowFactory.create(Vectors.dense(toDouble(trainX[i])), (double) trainY[i]);
      all.add(r);
      (i % 5 == 4 ? held : fit).add(r);
    }
    double best = DEFAULT_REG_PARAM;
    if (trainX.length >= MIN_EXAMPLES_TO_CHOOSE) {
      Dataset<Row> fitDf = spark.createDataFrame(fit, schema).cache();
      Dataset<Row> heldDf = spark.createDataFrame(held, schema).cache();
      double bestAccuracy = -1;
      for (double reg : REG_PARAMS) {
        double accuracy = new LogisticRegression().setMaxIter(100).setRegParam(reg).fit(fitDf).evaluate(heldDf)
            .accuracy();
        if (accuracy > bestAccuracy) {
          bestAccuracy = accuracy;
          best = reg;
        }
      }
      fitDf.unpersist();
      heldDf.unpersist();
    }
    fitInfo[0] = best;
    LogisticRegressionModel model = new LogisticRegression().setMaxIter(100).setRegParam(best)
        .fit(spark.createDataFrame(all, schema));
    fitInfo[1] = model.summary().totalIterations();
    int[] out = new int[evalX.length];
    for (int i = 0; i < evalX.length; i++) {
      out[i] = (int) model.predict(Vectors.dense(toDouble(evalX[i])));
    }
    return out;
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
