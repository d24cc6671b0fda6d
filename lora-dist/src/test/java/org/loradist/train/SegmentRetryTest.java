package org.loradist.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker failing mid-segment makes Spark retry the whole barrier stage, which replays the segment from its
 * starting state: the run ends with the same bits as an uninterrupted one. (In one JVM the failure is a thrown
 * exception; the standalone-cluster test kills an executor JVM.) local[2,4] allows task retries as a cluster does.
 */
class SegmentRetryTest {
  private static final List<Labeled> DATA = TestData.teacherLabelled(120, 6, 3, 21);
  private static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkSessions.local("local[2,4]", "SegmentRetryTest");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aFailedWorkerCostsARetryOfTheSegmentNotTheRun() {
    DataParallelTrainer trainer = new DataParallelTrainer(spark.sparkContext());
    TrainConfig config = new TrainConfig(2, 16, 1, 12, 5, 3, AdamWConfig.of(0.02), LrSchedule.linear(2), 1.0,
        tmp.resolve("clean").toString(), 2, null);
    TrainResult clean = trainer.train(new MlpReplica.Factory(6, 8, 3, 1), DATA, config);

    // rank 1 throws at step 7 (0-based), inside the second segment, in that stage's first attempt only
    MlpReplica.Factory failing = new MlpReplica.Factory(6, 8, 3, 1, MlpReplica.Failure.THROW, 7);
    TrainResult retried = trainer.train(failing, DATA, config.withCheckpoints(tmp.resolve("retried").toString(), 2));

    assertThat(retried.state().fingerprint()).isEqualTo(clean.state().fingerprint());
    assertThat(retried.metrics()).hasSize(12);
    assertThat(retried.metrics().stream().map(StepMetrics::step).toList())
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
  }
}
