package org.loradist.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data-parallel trainer on local[2] with real PyTorch replicas: equivalence, resume, NaN, accumulation. */
class DataParallelTrainerTest {
  private static final List<Labeled> CLASSIFICATION = TestData.teacherLabelled(200, 6, 3, 11);
  private static final List<Pair> RETRIEVAL = TestData.pairs(96, 12, 5);
  private static final MlpReplica.Factory MLP = new MlpReplica.Factory(6, 16, 3, 3);
  private static final ContrastiveReplica.Factory PROJECTION = new ContrastiveReplica.Factory(12, 6, 20, 4, true);

  private static SparkSession spark;
  private static DataParallelTrainer trainer;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("local[2]", "DataParallelTrainerTest");
    trainer = new DataParallelTrainer(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** 22 examples a step (5/6 split per micro-batch of 11 with 2 workers), warmup + linear decay, clipping on. */
  private TrainConfig mlpConfig(int workers, String dir) {
    return new TrainConfig(workers, 22, 1, 20, 10, 7, AdamWConfig.of(0.02),
        LrSchedule.linear(3), 0.5, tmp.resolve(dir).toString(), 2, null);
  }

  private TrainConfig retrievalConfig(int workers, String dir) {
    return new TrainConfig(workers, 16, 1, 20, 10, 5, AdamWConfig.of(0.01), LrSchedule.cosine(2), 0,
        tmp.resolve(dir).toString(), 2, null);
  }

  @Test
  void classifierOnTwoWorkersMatchesOneWorkerAndTheSingleProcessLoop() throws IOException {
    TrainState reference = ReferenceTraining.run(MLP, CLASSIFICATION, mlpConfig(1, "unused"));
    TrainResult one = trainer.train(MLP, CLASSIFICATION, mlpConfig(1, "one"));
    TrainConfig twoConfig = mlpConfig(2, "two").withMetricsPath(tmp.resolve("two-metrics.jsonl").toString());
    TrainResult two = trainer.train(MLP, CLASSIFICATION, twoConfig);

    assertThat(TestData.maxAbsDiff(one.state(), reference)).isEqualTo(0.0);
    double diff = TestData.maxAbsDiff(two.state(), one.state());
    System.out.printf("classifier 2 vs 1 workers, 20 steps: max abs diff %.3e%n", diff);
    assertThat(diff).isLessThanOrEqualTo(1e-4);
    assertThat(two.state().step()).isEqualTo(20);
    assertThat(two.state().examplesSeen()).isEqualTo(20 * 22);
    assertThat(two.segments()).isEqualTo(2);

    List<StepMetrics> m = two.metrics();
    assertThat(m).hasSize(20);
    assertThat(m.get(19).loss()).isLessThan(m.get(0).loss() * 0.8);
    assertThat(m).anySatisfy(s -> assertThat(s.gradNorm()).isGreaterThan(0.5)); // clipping was exercised
    assertThat(m.get(0).lr()).isCloseTo(0.02 / 3, org.assertj.core.api.Assertions.within(1e-12));
    List<String> lines = Files.readAllLines(tmp.resolve("two-metrics.jsonl"));
    assertThat(lines).hasSize(20);
    assertThat(lines.get(19)).startsWith("{\"step\":20,\"loss\":").contains("\"lr\":", "\"grad_norm\":",
        "\"examples_per_s\":", "\"elapsed_s\":", "\"exchange_bytes_sent\":", "\"exchange_bytes_received\":");

    // Per step each worker sends one contribution (loss, tokens, every gradient float) as base64, and gets back
    // every worker's.
    long contribution = 4 * ((16 + 4 * two.state().trainableCount() + 2) / 3);
    assertThat(m).allSatisfy(s -> {
      assertThat(s.exchangeBytesSent()).isEqualTo(contribution);
      assertThat(s.exchangeBytesReceived()).isEqualTo(2 * contribution);
      assertThat(s.exchangeSeconds()).isBetween(0.0, s.stepSeconds());
    });
    assertThat(one.metrics()).allSatisfy(s -> assertThat(s.exchangeBytesReceived()).isEqualTo(contribution));

    // Frozen weights load once per JVM: the pool serves every segment from at most one replica per task slot.
    assertThat(two.replicasBuilt().values()).allSatisfy(n -> assertThat(n).isBetween(1, 2));
    assertThat(two.lastCheckpoint()).endsWith("step-000000020.ckpt");
    assertThat(Checkpoint.read(two.lastCheckpoint(), spark.sparkContext().hadoopConfiguration()).state()
        .fingerprint()).isEqualTo(two.state().fingerprint());

    TrainResult again = trainer.train(MLP, CLASSIFICATION, mlpConfig(2, "again"));
    assertThat(again.state().fingerprint()).as("same config and seed, same bits").isEqualTo(two.state().fingerprint());
  }

  @Test
  void contrastiveNegativesSpanTheGlobalBatchAcrossWorkers() {
    TrainState reference = ReferenceTraining.run(PROJECTION, RETRIEVAL, retrievalConfig(1, "unused"));
    TrainResult one = trainer.train(PROJECTION, RETRIEVAL, retrievalConfig(1, "c1"));
    TrainResult two = trainer.train(PROJECTION, RETRIEVAL, retrievalConfig(2, "c2"));
    assertThat(TestData.maxAbsDiff(one.state(), reference)).isEqualTo(0.0);
    double diff = TestData.maxAbsDiff(two.state(), one.state());
    System.out.printf("contrastive 2 vs 1 workers, 20 steps: max abs diff %.3e%n", diff);
    assertThat(diff).isLessThanOrEqualTo(1e-4);
    assertThat(two.metrics().get(19).loss()).isLessThan(two.metrics().get(0).loss());
    // the phase-1 embeddings travel too: more than the gradient contribution, equal shares (8 + 8 examples)
    long contribution = 4 * ((16 + 4 * two.state().trainableCount() + 2) / 3);
    assertThat(two.metrics()).allSatisfy(s -> {
      assertThat(s.exchangeBytesSent()).isGreaterThan(contribution);
      assertThat(s.exchangeBytesReceived()).isEqualTo(2 * s.exchangeBytesSent());
    });

    // Control: negatives from the worker's own shard only — the test above would catch that.
    ContrastiveReplica.Factory shardOnly = new ContrastiveReplica.Factory(12, 6, 20, 4, false);
    TrainResult local = trainer.train(shardOnly, RETRIEVAL, retrievalConfig(2, "c3"));
    assertThat(TestData.maxAbsDiff(local.state(), one.state())).isGreaterThan(1e-3);
  }

  @Test
  void twoMicroBatchesOfHalfTheBatchEqualOneBatch() {
    TrainResult whole = trainer.train(MLP, CLASSIFICATION, mlpConfig(2, "whole"));
    TrainResult accumulated = trainer.train(MLP, CLASSIFICATION, mlpConfig(2, "acc").withBatch(22, 2));
    double diff = TestData.maxAbsDiff(accumulated.state(), whole.state());
    System.out.printf("accumulation 2x11 vs 1x22, 20 steps: max abs diff %.3e%n", diff);
    assertThat(diff).isLessThanOrEqualTo(1e-4);
    assertThat(TestData.maxAbsDiff(accumulated.state(),
        ReferenceTraining.run(MLP, CLASSIFICATION, mlpConfig(1, "unused").withBatch(22, 2)))).isLessThanOrEqualTo(1e-4);
  }

  @Test
  void resumingFromAMidRunCheckpointGivesTheSameFinalTensors() {
    TrainConfig full = mlpConfig(2, "full").withSegmentSteps(5).withCheckpoints(tmp.resolve("full").toString(), 0);
    TrainResult uninterrupted = trainer.train(MLP, CLASSIFICATION, full);
    String mid = tmp.resolve("full").resolve(Checkpoint.fileName(10)).toString();

    TrainResult resumed = trainer.train(MLP, CLASSIFICATION,
        full.withCheckpoints(tmp.resolve("resumed").toString(), 2), mid);
    assertThat(resumed.metrics()).hasSize(10);
    assertThat(resumed.metrics().get(0).step()).isEqualTo(11);
    assertThat(resumed.state().fingerprint()).isEqualTo(uninterrupted.state().fingerprint());

    // Another worker count and K may resume too (same global batch): equal up to summation order.
    TrainResult resumedOnOne = trainer.train(MLP, CLASSIFICATION,
        full.withWorkers(1).withSegmentSteps(7).withCheckpoints(tmp.resolve("resumed1").toString(), 2), mid);
    assertThat(TestData.maxAbsDiff(resumedOnOne.state(), uninterrupted.state())).isLessThanOrEqualTo(1e-4);

    assertThatThrownBy(() -> trainer.train(MLP, CLASSIFICATION,
        full.withBatch(20, 1).withCheckpoints(tmp.resolve("bad").toString(), 2), mid))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("global_batch_size was 22, now 20");
  }

  @Test
  void nanLossStopsWithTheStepAndBatchAndKeepsTheLastGoodCheckpoint() throws IOException {
    // Poison the example at stream position 140: first seen in step 7 (positions 132..153, all in epoch 0).
    int poisoned = new DataOrder(CLASSIFICATION.size(), 7).exampleAt(140);
    List<Labeled> data = new ArrayList<>(CLASSIFICATION);
    float[] x = data.get(poisoned).features().clone();
    x[2] = Float.NaN;
    data.set(poisoned, new Labeled("poison", x, 0));
    TrainConfig config = mlpConfig(2, "nan").withSegmentSteps(5).withMetricsPath(tmp.resolve("nan.jsonl").toString());

    assertThatThrownBy(() -> trainer.train(MLP, data, config))
        .isInstanceOfSatisfying(TrainingDivergedException.class, e -> {
          assertThat(e.step()).isEqualTo(7);
          assertThat(e.batch()).hasSize(22).contains("poison");
          assertThat(e.lastGoodCheckpoint()).endsWith("step-000000005.ckpt");
          assertThat(e.getMessage()).contains("step 7", "loss is NaN", "poison");
        });
    try (Stream<Path> files = Files.list(tmp.resolve("nan"))) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ckpt")))
          .containsExactly("step-000000005.ckpt");
    }
    assertThat(Files.readAllLines(tmp.resolve("nan.jsonl"))).hasSize(6); // steps 1-6 were good
  }

  @Test
  void refusesWhatCannotWork() {
    TrainConfig config = mlpConfig(2, "used");
    trainer.train(MLP, CLASSIFICATION, config.withSegmentSteps(20));
    assertThatThrownBy(() -> trainer.train(MLP, CLASSIFICATION, config))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already holds");
    assertThatThrownBy(() -> trainer.train(MLP, CLASSIFICATION, mlpConfig(3, "three")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 3 task slots");
    assertThatThrownBy(() -> new TrainConfig(4, 6, 2, 10, 5, 1, AdamWConfig.of(1e-3), LrSchedule.constant(), 0,
        "x", 1, null)).hasMessageContaining("at least one example per worker");
  }
}
