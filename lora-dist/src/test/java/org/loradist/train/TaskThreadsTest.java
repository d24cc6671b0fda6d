package org.loradist.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class TaskThreadsTest {
  @Test
  void aLocalMasterGivesItsCoresToTheTasksOfTheStage() {
    assertThat(TaskThreads.jvmCores(new SparkConf(false).set("spark.master", "local[4]"))).isEqualTo(4);
    assertThat(TaskThreads.jvmCores(new SparkConf(false).set("spark.master", "local[3,2]"))).isEqualTo(3);
    assertThat(TaskThreads.jvmCores(new SparkConf(false).set("spark.master", "local"))).isEqualTo(1);
    assertThat(TaskThreads.jvmCores(new SparkConf(false).set("spark.master", "local[*]")))
        .isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void executorCoresWinAndAClusterWithoutThemFallsBackToTaskCpus() {
    assertThat(TaskThreads.jvmCores(new SparkConf(false).set("spark.master", "local[4]")
        .set("spark.executor.cores", "2"))).isEqualTo(2);
    assertThat(TaskThreads.jvmCores(new SparkConf(false).set("spark.master", "spark://m:7077"))).isZero();
    assertThat(TaskThreads.share(0, 1, 1)).isEqualTo(1);
    assertThat(TaskThreads.share(0, 1, 4)).isEqualTo(4);
  }

  @Test
  void tasksSharingAJvmSplitItsCoresButNeverGoBelowTaskCpus() {
    assertThat(TaskThreads.share(4, 1, 1)).isEqualTo(4);
    assertThat(TaskThreads.share(4, 2, 1)).isEqualTo(2);
    assertThat(TaskThreads.share(2, 4, 1)).isEqualTo(1);
    assertThat(TaskThreads.share(8, 2, 4)).isEqualTo(4);
    assertThat(TaskThreads.share(1, 1, 2)).isEqualTo(2);
  }
}
