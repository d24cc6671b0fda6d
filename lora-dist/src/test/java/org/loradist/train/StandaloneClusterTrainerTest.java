package org.loradist.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer on a real standalone cluster with two executor JVMs (one core each): equivalence with one worker,
 * and an executor JVM killed mid-run (Runtime.halt, as kill -9) costing a retried segment, not the run.
 *
 * <p>Runs only when {@code -Dloradist.test.sparkMaster=spark://HOST:PORT} names a running cluster with two 1-core
 * workers; {@code -Dloradist.test.sparkJars=a.jar,b.jar} lists what the executors need on their classpath
 * (lora-dist's classes and test classes as jars, DJL api + pytorch-engine/jni/native). The harness that starts the
 * cluster sets both. This is the only conditional test class.
 */
class StandaloneClusterTrainerTest {
  static final String MASTER_PROPERTY = "loradist.test.sparkMaster";
  static final String JARS_PROPERTY = "loradist.test.sparkJars";

  private static final List<Labeled> CLASSIFICATION = TestData.teacherLabelled(200, 6, 3, 11);
  private static final List<Pair> RETRIEVAL = TestData.pairs(96, 12, 5);
  private static SparkSession spark;
  private static DataParallelTrainer trainer;

  @TempDir
  Path tmp;

  @BeforeAll
  static void connect() {
    String master = System.getProperty(MASTER_PROPERTY);
    Assumptions.assumeTrue(master != null && master.startsWith("spark://"),
        "no standalone cluster: set -D" + MASTER_PROPERTY + "=spark://HOST:PORT");
    SparkSession.Builder builder = SparkSession.builder().master(master).appName("StandaloneClusterTrainerTest")
        .config("spark.ui.enabled", "false")
        .config("spark.cores.max", "2")
        .config("spark.executor.cores", "1")
        .config("spark.task.cpus", "1")
        .config("spark.executor.memory", "1g")
        .config("spark.executor.extraJavaOptions", "-Dai.djl.offline=true")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1");
    String jars = System.getProperty(JARS_PROPERTY);
    if (jars != null && !jars.isBlank()) {
      builder.config("spark.jars", jars);
    }
    spark = builder.getOrCreate();
    trainer = new DataParallelTrainer(spark.sparkContext());
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private TrainConfig config(int workers, String dir) {
    return new TrainConfig(workers, 22, 1, 20, 5, 7, AdamWConfig.of(0.02), LrSchedule.linear(3), 0.5,
        tmp.resolve(dir).toString(), 2, null);
  }

  @Test
  void twoExecutorsMatchOneForBothObjectives() {
    MlpReplica.Factory mlp = new MlpReplica.Factory(6, 16, 3, 3);
    double mlpDiff = TestData.maxAbsDiff(trainer.train(mlp, CLASSIFICATION, config(2, "m2")).state(),
        trainer.train(mlp, CLASSIFICATION, config(1, "m1")).state());
    ContrastiveReplica.Factory projection = new ContrastiveReplica.Factory(12, 6, 20, 4, true);
    TrainConfig retrieval = config(2, "c2").withBatch(16, 1);
    TrainResult two = trainer.train(projection, RETRIEVAL, retrieval);
    TrainResult one = trainer.train(projection, RETRIEVAL,
        retrieval.withWorkers(1).withCheckpoints(tmp.resolve("c1").toString(), 2));
    double contrastiveDiff = TestData.maxAbsDiff(two.state(), one.state());
    System.out.printf("standalone: classifier diff %.3e, contrastive diff %.3e%n", mlpDiff, contrastiveDiff);
    assertThat(mlpDiff).isLessThanOrEqualTo(1e-4);
    assertThat(contrastiveDiff).isLessThanOrEqualTo(1e-4);
    assertThat(two.replicasBuilt()).hasSizeGreaterThanOrEqualTo(2); // two executor JVMs took part
  }

  @Test
  void aKilledExecutorCostsARetriedSegmentNotTheRun() {
    TrainResult clean = trainer.train(new MlpReplica.Factory(6, 16, 3, 3), CLASSIFICATION, config(2, "clean"));
    MlpReplica.Factory killer = new MlpReplica.Factory(6, 16, 3, 3, MlpReplica.Failure.HALT, 12);
    TrainResult survived = trainer.train(killer, CLASSIFICATION, config(2, "killed"));
    System.out.printf("standalone kill: executors seen %s, max abs diff %.3e%n", survived.replicasBuilt(),
        TestData.maxAbsDiff(survived.state(), clean.state()));
    assertThat(survived.state().step()).isEqualTo(20);
    assertThat(TestData.maxAbsDiff(survived.state(), clean.state())).isLessThanOrEqualTo(1e-6);
    // the steps after the kill ran on a replacement executor JVM
    assertThat(survived.replicasBuilt().keySet()).hasSizeGreaterThanOrEqualTo(3);
  }
}
