package org.loradist.train.lora;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.TinyModels;
import org.loradist.train.AdamWConfig;
import org.loradist.train.DataParallelTrainer;
import org.loradist.train.LrSchedule;
import org.loradist.train.ReplicaFactory;
import org.loradist.train.TrainConfig;
import org.loradist.train.TrainResult;

/**
 * Data-parallel equivalence of both LoRA objectives on local[2]: 2 workers and 1 worker with the same global batch
 * give the same adapter after 20 steps, with the adapters' dropout on and replay (with its penalty) in every batch.
 */
class DataParallelLoraTest {
  @TempDir
  static Path dir;
  static String modelPath;
  static SparkSession spark;

  static final String[] TOPICS = {"library", "game", "editor", "kernel", "font", "python"};
  static final String[] WORDS = {"fast", "small", "free", "simple", "portable", "secure", "modern", "classic"};

  @BeforeAll
  static void setUp() throws IOException {
    modelPath = TinyModels.write(dir.resolve("tiny"), TinyModels.CONFIG, 33).toString();
    spark = SparkSession.builder().master("local[2]").appName("lora-equivalence")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
    }
  }

  static String text(int i) {
    return "a " + WORDS[i % WORDS.length] + " " + TOPICS[i % TOPICS.length] + " " + WORDS[(i / 3) % WORDS.length];
  }

  static TrainConfig config(String name, int workers) {
    return new TrainConfig(workers, 6, 1, 20, 50, 11, AdamWConfig.of(5e-3), LrSchedule.linear(3), 1.0,
        dir.resolve("ckpt-" + name + "-" + workers).toUri().toString(), 1, null);
  }

  static <E extends Serializable> double maxDiffOneVsTwo(ReplicaFactory<E> f, List<E> examples, String name) {
    DataParallelTrainer trainer = new DataParallelTrainer(spark.sparkContext());
    TrainResult one = trainer.train(f, examples, config(name, 1));
    TrainResult two = trainer.train(f, examples, config(name, 2));
    double[] diffAndMoved = diffAndMoved(f, one, two);
    assertThat(one.metrics()).hasSize(20);
    assertThat(one.metrics().get(0).tokens()).isGreaterThan(0);
    System.out.printf("%s: max |adapter(1 worker) - adapter(2 workers)| after 20 steps = %.3g (moved %.3g)%n", name,
        diffAndMoved[0], diffAndMoved[1]);
    return diffAndMoved[0];
  }

  /**
   * The largest difference between the trained values of {@code one} and {@code two}, and the largest move of
   * {@code one}'s from the factory's initial values, which must exceed 1e-2 (else equal runs prove nothing).
   */
  static double[] diffAndMoved(ReplicaFactory<?> f, TrainResult one, TrainResult two) {
    float[][] init;
    try (var r = f.create()) {
      init = r.initialTrainable();
    }
    float[][] a = one.state().values();
    float[][] b = two.state().values();
    double moved = 0;
    double diff = 0;
    for (int t = 0; t < a.length; t++) {
      for (int i = 0; i < a[t].length; i++) {
        diff = Math.max(diff, Math.abs(a[t][i] - b[t][i]));
        moved = Math.max(moved, Math.abs(a[t][i] - init[t][i]));
      }
    }
    assertThat(moved).as("the adapter moved away from its start").isGreaterThan(1e-2);
    return new double[] {diff, moved};
  }

  @Test
  void classificationTwoWorkersEqualOne() {
    List<LabeledText> examples = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      examples.add(new LabeledText("t" + i, text(i), i % 3));
    }
    List<LabeledText> reference = List.of(new LabeledText("r0", "a reference about fonts", 1),
        new LabeledText("r1", "an unlabelled reference", LabeledText.UNLABELLED),
        new LabeledText("r2", "a third reference line", 2));
    LoraConfig lora = LoraConfig.of(4, 8, 0.1, List.of("query", "value")).withModulesToSave(List.of("classifier"));
    ClassificationReplicaFactory f = new ClassificationReplicaFactory(
        new EncoderLoraSpec(modelPath, 16, lora, 5, false), 3, new float[] {1f, 1.5f, 0.5f},
        new Replay<>(reference, 2, 0.5, ReplayPenalty.LOGITS_KL));
    assertThat(maxDiffOneVsTwo(f, examples, "cls")).isLessThanOrEqualTo(1e-4);
  }

  @Test
  void libraryEntryPointTrainsFromADataFrameAndWritesAPeftAdapter() throws IOException {
    List<org.apache.spark.sql.Row> rows = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      rows.add(org.apache.spark.sql.RowFactory.create("id" + i, text(i), TOPICS[i % 3]));
    }
    rows.add(org.apache.spark.sql.RowFactory.create("blank", " ", "game"));
    rows.add(org.apache.spark.sql.RowFactory.create("nolabel", "a text without label", null));
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("id", "string").add("description", "string").add("section", "string");
    Examples<LabeledText> ex = Examples.classification(spark.createDataFrame(rows, schema), "id", "description",
        "section");
    assertThat(ex.labels()).containsExactly("editor", "game", "library");
    assertThat(ex.examples()).hasSize(24);
    assertThat(ex.rejects()).extracting(Reject::id, Reject::reason).containsExactly(
        org.assertj.core.groups.Tuple.tuple("blank", "field 'description' is null or blank"),
        org.assertj.core.groups.Tuple.tuple("nolabel", "field 'section' is null or blank"));

    List<LabeledText> reference = List.of(new LabeledText("r0", "unrelated reference text", LabeledText.UNLABELLED),
        new LabeledText("r1", "another unrelated text", LabeledText.UNLABELLED));
    LoraTrainingConfig config = LoraTrainingConfig.builder(LoraTask.CLASSIFICATION).modelPath(modelPath)
        .maxTokens(16).lora(LoraConfig.of(4, 8, 0.1, List.of("query", "value"))).batchSize(8).maxSteps(6)
        .segmentSteps(4).replay(0.25, 1.0).replayPenalty(ReplayPenalty.EMBEDDING_COSINE).balancedClassWeights(true)
        .workers(2).build();
    Path out = dir.resolve("train-out");
    LoraTrainingResult r = LoraTraining.trainClassifier(spark, ex.examples(), ex.labels(), reference, config,
        out.toString());
    assertThat(r.steps()).isEqualTo(6);
    assertThat(r.replayPerMicroBatch()).isEqualTo(2);
    assertThat(r.replayFraction()).isEqualTo(0.25);
    assertThat(r.training().segments()).isEqualTo(2);
    assertThat(java.nio.file.Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(6);
    assertThat(out.resolve("checkpoints/step-000000006.ckpt")).exists();
    org.loradist.lora.PeftAdapter back = org.loradist.lora.PeftFormat.read(out.resolve("adapter"));
    assertThat(back.taskType()).isEqualTo("SEQ_CLS");
    assertThat(back.savedModules()).containsKeys("classifier.weight", "classifier.bias");
    assertThat(LoraTraining.labels(out.resolve("adapter"))).containsExactly("editor", "game", "library");
    try (org.loradist.lora.AdaptedModel model = org.loradist.lora.AdaptedModel.load(modelPath, back, 16)) {
      assertThat(model.classes()).isEqualTo(3);
      Evaluation.ClassificationMetrics m = Evaluation.classification(model, ex.examples());
      assertThat(m.examples()).isEqualTo(24);
      assertThat(m.accuracy()).isBetween(0.0, 1.0);
    }
    // the same output directory again is refused rather than mixed with the old checkpoints
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoraTraining.trainClassifier(spark, ex.examples(),
        ex.labels(), reference, config, out.toString())).hasMessageContaining("already holds");
  }

  @Test
  void retrievalTwoWorkersEqualOneWithNegativesFromTheWholeBatch() {
    List<TextPair> examples = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      examples.add(new TextPair("p" + i, TOPICS[i % TOPICS.length] + " " + WORDS[i % WORDS.length], text(i)));
    }
    List<TextPair> reference = List.of(new TextPair("r0", "fonts", "a reference about fonts"),
        new TextPair("r1", "kernels", "a reference about kernels"));
    RetrievalReplicaFactory f = new RetrievalReplicaFactory(
        new EncoderLoraSpec(modelPath, 16, LoraConfig.of(4, 8, 0.1, List.of("query", "value")), 5, false), 20,
        new Replay<>(reference, 1, 0.5, ReplayPenalty.EMBEDDING_COSINE));
    assertThat(maxDiffOneVsTwo(f, examples, "ret")).isLessThanOrEqualTo(1e-4);
  }
}
