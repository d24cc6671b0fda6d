package org.loradist.train.lora;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.loradist.lora.PeftAdapter;
import org.loradist.train.DataParallelTrainer;
import org.loradist.train.ReplicaFactory;
import org.loradist.train.StepMetrics;
import org.loradist.train.TrainConfig;
import org.loradist.train.TrainResult;

/**
 * What a LoRA run does the same way for encoders ({@link LoraTraining}) and decoders ({@link DecoderTraining}):
 * checking the examples, the replay set, training on the cluster, writing {@code adapter/} with its sidecar, and
 * summing the run up. What differs comes in: the adapter's PEFT layout and the sidecar's description of the model.
 */
final class LoraTrainingRun {
  private LoraTrainingRun() {
  }

  /** The PEFT adapter of a run's trained tensors. */
  @FunctionalInterface
  interface AdapterLayout {
    PeftAdapter adapter(TrainResult result);
  }

  /** Classification needs two classes or more, and every training label among them. */
  static void checkLabels(List<LabeledText> train, List<String> labels) {
    if (labels.size() < 2) {
      throw new IllegalArgumentException("classification needs at least 2 labels, got " + labels);
    }
    for (LabeledText t : train) {
      if (t.label() < 0 || t.label() >= labels.size()) {
        throw new IllegalArgumentException("training example " + t.id() + " has label " + t.label() + " outside 0.."
            + (labels.size() - 1));
      }
    }
  }

  /** The config's class weights: balanced over {@code train}, or null (all 1). */
  static float[] classWeights(LoraTrainingConfig config, List<LabeledText> train, int classes) {
    return config.balancedClassWeights() ? balancedWeights(train, classes) : null;
  }

  /** n / (classes · count_c), 0 for classes without examples (as scikit-learn's class_weight="balanced"). */
  static float[] balancedWeights(List<LabeledText> train, int classes) {
    int[] counts = new int[classes];
    for (LabeledText t : train) {
      counts[t.label()]++;
    }
    float[] w = new float[classes];
    for (int c = 0; c < classes; c++) {
      w[c] = counts[c] == 0 ? 0f : (float) train.size() / (classes * counts[c]);
    }
    return w;
  }

  static <E extends Serializable> Replay<E> replay(LoraTrainingConfig c, List<E> reference) {
    int perMicro = c.replayPerMicroBatch();
    if (perMicro == 0) {
      return Replay.none();
    }
    if (reference == null || reference.isEmpty()) {
      throw new IllegalArgumentException("replay fraction " + c.replayFraction() + " needs a reference data set");
    }
    return new Replay<>(reference, perMicro, c.replayPenaltyWeight(), c.replayPenalty());
  }

  /**
   * Trains {@code factory}'s objective on {@code train} and writes the adapter that {@code layout} builds, with a
   * sidecar of {@code sidecarModel}'s fields (what the model is) followed by the run's.
   */
  static <E extends Serializable> LoraTrainingResult run(SparkSession spark, ReplicaFactory<E> factory,
      List<E> train, List<String> labels, LoraTrainingConfig config, String outputDir, String resumeFrom,
      AdapterLayout layout, JsonObject sidecarModel) {
    if (train == null || train.isEmpty()) {
      throw new IllegalArgumentException("no training examples");
    }
    TrainConfig trainConfig = LoraTraining.trainConfig(config, train.size(), outputDir);
    TrainResult result = new DataParallelTrainer(spark.sparkContext()).train(factory, train, trainConfig,
        resumeFrom);

    PeftAdapter adapter = layout.adapter(result);
    String adapterDir = LoraTraining.trimSlash(outputDir) + "/" + LoraTraining.ADAPTER_DIR;
    LoraTraining.writeAdapter(spark.sparkContext().hadoopConfiguration(), adapterDir, adapter,
        sidecar(sidecarModel, config, labels, result));

    List<StepMetrics> m = result.metrics();
    double seconds = m.stream().mapToDouble(StepMetrics::stepSeconds).sum();
    long tokens = m.stream().mapToLong(StepMetrics::tokens).sum();
    int tail = Math.max(1, m.size() / 10);
    double finalLoss = m.isEmpty() ? Double.NaN
        : m.subList(m.size() - tail, m.size()).stream().mapToDouble(StepMetrics::loss).average().orElse(Double.NaN);
    int replayPerStep = config.replayPerMicroBatch() * config.accumulationSteps();
    return new LoraTrainingResult(result, adapter, adapterDir, labels, train.size(), trainConfig.totalSteps(),
        config.replayPerMicroBatch(), (double) replayPerStep / config.batchSize(), result.state().trainableCount(),
        seconds > 0 ? tokens / seconds : 0, finalLoss);
  }

  private static String sidecar(JsonObject model, LoraTrainingConfig c, List<String> labels, TrainResult result) {
    JsonObject o = model.deepCopy();
    JsonArray l = new JsonArray();
    labels.forEach(l::add);
    o.add("labels", l);
    o.addProperty("steps", result.state().step());
    o.addProperty("seed", c.seed());
    o.addProperty("workers", c.workers());
    o.addProperty("batch_size", c.batchSize());
    o.addProperty("replay_fraction", c.replayFraction());
    o.addProperty("replay_per_micro_batch", c.replayPerMicroBatch());
    o.addProperty("replay_penalty_weight", c.replayPenaltyWeight());
    o.addProperty("replay_penalty", c.replayPenalty().name());
    return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
  }
}
