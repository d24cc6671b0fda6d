package org.loradist.bench.lora;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.loradist.lora.AdaptedModel;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;
import org.loradist.train.lora.Evaluation;
import org.loradist.train.lora.LabeledText;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTraining;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.LoraTrainingResult;
import org.loradist.train.lora.ReplayPenalty;
import org.loradist.train.lora.TextPair;

/**
 * The LoRA figures on debian-packages, one JSON line per figure, each beside its peer measured in the same run.
 *
 * <pre>
 * LoraFiguresBench classification DATA_DIR OUT_DIR [train] [dev] [sections] [steps] [maxTokens] [batch] [lr]
 *     section accuracy / macro-F1: LoRA classifier vs logistic regression (Spark MLlib) on frozen base embeddings
 * LoraFiguresBench forgetting DATA_DIR OUT_DIR [train] [dev] [sections] [steps] [maxTokens] [batch] [lr]
 *     synopsis→description MRR@10 of the classifier-adapted encoder (the base model's own task), without replay
 *     (the adapter of the classification figure, when OUT_DIR/cls holds it) and with replay of reference texts
 * LoraFiguresBench retrieval DATA_DIR OUT_DIR [train] [dev] [steps] [maxTokens] [batch] [lr] [rank] [targets]
 *     synopsis→description MRR@10 (dev, distinct descriptions): base encoder vs contrastively finetuned
 * LoraFiguresBench throughput DATA_DIR OUT_DIR [steps]
 *     training tokens/s, batch 32 x 128 tokens, r 8 on query/value, 1 worker; peer: inference tokens/s, same batches
 * </pre>
 */
public final class LoraFiguresBench {
  private LoraFiguresBench() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: LoraFiguresBench classification|retrieval|throughput DATA_DIR OUT_DIR [sizes...]");
      System.exit(2);
    }
    Path data = Path.of(args[1]);
    Path out = Path.of(args[2]);
    Files.createDirectories(out);
    SparkSession spark = SparkSession.builder().master("local[2]").appName("lora-figures")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      switch (args[0]) {
        case "classification", "forgetting" -> classification(spark, data, out, intArg(args, 3, 3000),
            intArg(args, 4, 1000), intArg(args, 5, 12), intArg(args, 6, 200), intArg(args, 7, 96), intArg(args, 8, 32),
            doubleArg(args, 9, 1e-3), args[0].equals("forgetting"));
        case "retrieval" -> retrieval(spark, data, out, intArg(args, 3, 3000), intArg(args, 4, 1000),
            intArg(args, 5, 150), intArg(args, 6, 96), intArg(args, 7, 32), doubleArg(args, 8, 5e-4),
            LoraConfig.defaults().withRank(intArg(args, 9, 8))
                .withTargetModules(List.of((args.length > 10 ? args[10] : "query,value").split(","))));
        case "throughput" -> throughput(spark, data, out, intArg(args, 3, 12));
        default -> throw new IllegalArgumentException("unknown figure " + args[0]);
      }
    } finally {
      spark.stop();
    }
    // Spark's barrier tasks leave a non-daemon timer thread ("Barrier task timer for barrier() calls.") behind in a
    // local-mode driver, which would keep this JVM alive after main returns
    System.exit(0);
  }

  private static double doubleArg(String[] a, int i, double dflt) {
    return a.length > i ? Double.parseDouble(a[i]) : dflt;
  }

  private static int intArg(String[] a, int i, int dflt) {
    return a.length > i ? Integer.parseInt(a[i]) : dflt;
  }

  static void classification(SparkSession spark, Path data, Path out, int trainN, int devN, int k, int steps,
      int maxTokens, int batch, double lr, boolean forgetting) throws Exception {
    DebianPackages train = DebianPackages.read(data.resolve("train.jsonl.gz"));
    DebianPackages dev = DebianPackages.read(data.resolve("dev.jsonl.gz"));
    List<String> sections = train.topSections(k).stream().sorted().toList();
    Map<String, Integer> index = new HashMap<>();
    sections.forEach(s -> index.put(s, index.size()));
    List<LabeledText> trainEx = labelled(train.sample(sections, trainN, 1), index);
    List<LabeledText> devEx = labelled(dev.sample(sections, devN, 2), index);
    List<TextPair> devPairs = pairs(dev.sample(null, devN, 3));
    LoraTrainingConfig config = LoraTrainingConfig.builder(LoraTask.CLASSIFICATION).maxTokens(maxTokens)
        .lora(LoraConfig.defaults()).batchSize(batch).maxSteps(steps).lr(lr).segmentSteps(50).seed(7).build();
    Map<String, Object> common = new LinkedHashMap<>();
    common.put("train", trainEx.size());
    common.put("dev", devEx.size());
    common.put("classes", sections.size());
    common.put("steps", steps);
    common.put("batch", batch);
    common.put("lr", lr);
    common.put("max_tokens", maxTokens);
    if (forgetting) {
      forgetting(spark, train, trainN, devPairs, devEx, sections, config, common, out, maxTokens);
      return;
    }
    // baseline: logistic regression on the frozen base model's embeddings
    long t0 = System.nanoTime();
    double[] baseline;
    try (AdaptedModel base = AdaptedModel.load("default", null, maxTokens)) {
      float[][] trainEmb = base.embed(trainEx.stream().map(LabeledText::text).toList());
      float[][] devEmb = base.embed(devEx.stream().map(LabeledText::text).toList());
      baseline = logisticRegression(spark, trainEmb, trainEx, devEmb, devEx, sections.size());
    }
    double baselineSeconds = (System.nanoTime() - t0) / 1e9;

    LoraTrainingResult plain = LoraTraining.trainClassifier(spark, trainEx, sections, List.of(), config,
        out.resolve("cls").toString());
    Evaluation.ClassificationMetrics lora;
    try (AdaptedModel m = AdaptedModel.load("default", plain.adapter(), maxTokens)) {
      lora = Evaluation.classification(m, devEx);
    }
    Map<String, Object> f = new LinkedHashMap<>(common);
    f.put("figure", "debian_section_classification");
    f.put("lora_accuracy", lora.accuracy());
    f.put("lora_macro_f1", lora.macroF1());
    f.put("baseline_logreg_accuracy", baseline[0]);
    f.put("baseline_logreg_macro_f1", baseline[1]);
    f.put("accuracy_gain_points", 100 * (lora.accuracy() - baseline[0]));
    f.put("macro_f1_gain_points", 100 * (lora.macroF1() - baseline[1]));
    f.put("train_seconds", plain.training().wallSeconds());
    f.put("train_tokens_per_s", plain.tokensPerSecond());
    f.put("baseline_seconds", baselineSeconds);
    print(f);

  }

  /** Retrieval MRR@10 (the base model's task) after classification finetuning, without and with replay. */
  static void forgetting(SparkSession spark, DebianPackages train, int trainN, List<TextPair> devPairs,
      List<LabeledText> devEx, List<String> sections, LoraTrainingConfig config, Map<String, Object> common, Path out,
      int maxTokens) throws Exception {
    Map<String, Integer> index = new HashMap<>();
    sections.forEach(s -> index.put(s, index.size()));
    List<LabeledText> trainEx = labelled(train.sample(sections, trainN, 1), index);
    // replay reference: texts of other training packages (any section), unlabelled: only the penalty acts on them
    List<LabeledText> reference = new ArrayList<>();
    for (DebianPackages.Row r : train.sample(null, 50000, 4)) {
      if (reference.size() == 2000) {
        break;
      }
      reference.add(new LabeledText("ref-" + r.pkg(), r.description(), LabeledText.UNLABELLED));
    }
    double baseMrr;
    try (AdaptedModel base = AdaptedModel.load("default", null, maxTokens)) {
      baseMrr = Evaluation.retrieval(base, devPairs).mrrAt10();
    }
    Path previous = out.resolve("cls").resolve(LoraTraining.ADAPTER_DIR);
    PeftAdapter plainAdapter = Files.isDirectory(previous) ? PeftFormat.read(previous)
        : LoraTraining.trainClassifier(spark, trainEx, sections, List.of(), config, out.resolve("cls").toString())
            .adapter();
    double loraMrr;
    Evaluation.ClassificationMetrics lora;
    try (AdaptedModel m = AdaptedModel.load("default", plainAdapter, maxTokens)) {
      loraMrr = Evaluation.retrieval(m, devPairs).mrrAt10();
      lora = Evaluation.classification(m, devEx);
    }
    LoraTrainingConfig replayConfig = config.toBuilder().replay(0.125, 1.0)
        .replayPenalty(ReplayPenalty.EMBEDDING_COSINE).build();
    LoraTrainingResult replay = LoraTraining.trainClassifier(spark, trainEx, sections, reference, replayConfig,
        out.resolve("cls-replay").toString());
    Evaluation.ClassificationMetrics loraReplay;
    double replayMrr;
    try (AdaptedModel m = AdaptedModel.load("default", replay.adapter(), maxTokens)) {
      loraReplay = Evaluation.classification(m, devEx);
      replayMrr = Evaluation.retrieval(m, devPairs).mrrAt10();
    }
    Map<String, Object> g = new LinkedHashMap<>(common);
    g.put("figure", "forgetting_retrieval_mrr10_after_classification_finetune");
    g.put("dev_pairs", devPairs.size());
    g.put("base_mrr10", baseMrr);
    g.put("no_replay_mrr10", loraMrr);
    g.put("replay_mrr10", replayMrr);
    g.put("no_replay_drop", baseMrr - loraMrr);
    g.put("replay_drop", baseMrr - replayMrr);
    g.put("replay_fraction", replay.replayFraction());
    g.put("replay_penalty", "embedding_cosine x1.0 on unlabelled reference texts");
    g.put("no_replay_accuracy", lora.accuracy());
    g.put("replay_accuracy", loraReplay.accuracy());
    g.put("no_replay_macro_f1", lora.macroF1());
    g.put("replay_macro_f1", loraReplay.macroF1());
    g.put("replay_train_seconds", replay.training().wallSeconds());
    print(g);
  }

  static void retrieval(SparkSession spark, Path data, Path out, int trainN, int devN, int steps, int maxTokens,
      int batch, double lr, LoraConfig lora) throws Exception {
    DebianPackages train = DebianPackages.read(data.resolve("train.jsonl.gz"));
    DebianPackages dev = DebianPackages.read(data.resolve("dev.jsonl.gz"));
    List<TextPair> trainPairs = pairs(train.sample(null, trainN, 5));
    List<TextPair> devPairs = pairs(dev.sample(null, devN, 3));
    Evaluation.RetrievalMetrics base;
    try (AdaptedModel m = AdaptedModel.load("default", null, maxTokens)) {
      base = Evaluation.retrieval(m, devPairs);
    }
    LoraTrainingConfig config = LoraTrainingConfig.builder(LoraTask.RETRIEVAL).maxTokens(maxTokens)
        .lora(lora).batchSize(batch).maxSteps(steps).lr(lr).segmentSteps(50).seed(7).build();
    LoraTrainingResult r = LoraTraining.trainRetrieval(spark, trainPairs, List.of(), config,
        out.resolve("ret").toString());
    Evaluation.RetrievalMetrics tuned;
    try (AdaptedModel m = AdaptedModel.load("default", r.adapter(), maxTokens)) {
      tuned = Evaluation.retrieval(m, devPairs);
    }
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("figure", "debian_synopsis_to_description_mrr10");
    f.put("train_pairs", trainPairs.size());
    f.put("dev_queries", tuned.queries());
    f.put("dev_passages", tuned.passages());
    f.put("steps", steps);
    f.put("batch", batch);
    f.put("lr", lr);
    f.put("rank", lora.rank());
    f.put("targets", lora.describeTargets());
    f.put("max_tokens", maxTokens);
    f.put("base_mrr10", base.mrrAt10());
    f.put("lora_mrr10", tuned.mrrAt10());
    f.put("relative_gain", tuned.mrrAt10() / base.mrrAt10() - 1);
    f.put("base_recall1", base.recallAt1());
    f.put("lora_recall1", tuned.recallAt1());
    f.put("base_recall10", base.recallAt10());
    f.put("lora_recall10", tuned.recallAt10());
    f.put("train_seconds", r.training().wallSeconds());
    f.put("train_tokens_per_s", r.tokensPerSecond());
    print(f);
  }

  static void throughput(SparkSession spark, Path data, Path out, int steps) throws Exception {
    DebianPackages train = DebianPackages.read(data.resolve("train.jsonl.gz"));
    // texts of at least 128 tokens after truncation: long descriptions, so every batch is 32 x 128
    List<LabeledText> texts = new ArrayList<>();
    for (DebianPackages.Row r : DebianPackages.fillingMaxTokens(train.sample(null, 20000, 6), 32 * (steps + 2), 128)) {
      texts.add(new LabeledText(r.pkg(), r.text(), texts.size() % 2));
    }
    for (double dropout : new double[] {0.1, 0.0}) {
      LoraTrainingConfig config = LoraTrainingConfig.builder(LoraTask.CLASSIFICATION).maxTokens(128)
          .lora(LoraConfig.defaults().withDropout(dropout)).batchSize(32).maxSteps(steps + 2).segmentSteps(100)
          .build();
      LoraTrainingResult r = LoraTraining.trainClassifier(spark, texts, List.of("a", "b"), List.of(), config,
          out.resolve("throughput-" + dropout).toString());
      // the first 2 steps warm up (allocator, JIT): measure the rest
      var m = r.training().metrics().subList(2, r.training().metrics().size());
      double seconds = m.stream().mapToDouble(s -> s.stepSeconds()).sum();
      long tokens = m.stream().mapToLong(s -> s.tokens()).sum();
      double inference;
      try (AdaptedModel base = AdaptedModel.load("default", null, 128)) {
        List<String> batchTexts = texts.subList(0, 32 * 4).stream().map(LabeledText::text).toList();
        base.embed(batchTexts.subList(0, 32));
        long t0 = System.nanoTime();
        base.embed(batchTexts);
        inference = 32 * 4 * 128 / ((System.nanoTime() - t0) / 1e9);
      }
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("figure", "lora_training_tokens_per_s");
      f.put("batch", 32);
      f.put("tokens_per_text", 128);
      f.put("rank", 8);
      f.put("targets", "query,value");
      f.put("lora_dropout", dropout);
      f.put("workers", 1);
      f.put("steps_measured", m.size());
      f.put("train_tokens_per_s", tokens / seconds);
      f.put("peer_inference_tokens_per_s", inference);
      f.put("train_over_inference", tokens / seconds / inference);
      print(f);
    }
  }

  private static List<LabeledText> labelled(List<DebianPackages.Row> rows, Map<String, Integer> index) {
    return rows.stream().map(r -> new LabeledText(r.pkg(), r.description(), index.get(r.section()))).toList();
  }

  private static List<TextPair> pairs(List<DebianPackages.Row> rows) {
    return rows.stream().map(r -> new TextPair(r.pkg(), r.synopsis(), r.description())).toList();
  }

  /** Multinomial logistic regression; regParam chosen on a 20% split of train, then refit on all of train. */
  static double[] logisticRegression(SparkSession spark, float[][] trainX, List<LabeledText> train, float[][] devX,
      List<LabeledText> dev, int classes) {
    StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
    List<Row> all = new ArrayList<>();
    for (int i = 0; i < trainX.length; i++) {
      all.add(RowFactory.create(Vectors.dense(toDouble(trainX[i])), (double) train.get(i).label()));
    }
    int cut = all.size() * 4 / 5;
    Dataset<Row> fit = spark.createDataFrame(all.subList(0, cut), schema).cache();
    Dataset<Row> held = spark.createDataFrame(all.subList(cut, all.size()), schema).cache();
    double bestReg = 0;
    double bestAcc = -1;
    for (double reg : new double[] {0.0, 1e-4, 1e-3, 1e-2}) {
      LogisticRegressionModel m = new LogisticRegression().setMaxIter(200).setRegParam(reg).fit(fit);
      double acc = m.evaluate(held).accuracy();
      if (acc > bestAcc) {
        bestAcc = acc;
        bestReg = reg;
      }
    }
    LogisticRegressionModel model = new LogisticRegression().setMaxIter(200).setRegParam(bestReg)
        .fit(spark.createDataFrame(all, schema));
    int[] gold = new int[dev.size()];
    int[] pred = new int[dev.size()];
    for (int i = 0; i < dev.size(); i++) {
      gold[i] = dev.get(i).label();
      pred[i] = (int) model.predict(Vectors.dense(toDouble(devX[i])));
    }
    Evaluation.ClassificationMetrics m = Evaluation.classification(gold, pred, classes);
    System.err.println("baseline logistic regression: regParam " + bestReg + " (held-out accuracy " + bestAcc + ")");
    return new double[] {m.accuracy(), m.macroF1(), bestReg};
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  private static void print(Map<String, Object> fields) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"').append(e.getKey()).append("\":");
      Object v = e.getValue();
      if (v instanceof Double d) {
        sb.append(String.format(Locale.ROOT, "%.4f", d));
      } else if (v instanceof Number) {
        sb.append(v);
      } else {
        sb.append('"').append(v).append('"');
      }
    }
    System.out.println(sb.append('}'));
  }
}
