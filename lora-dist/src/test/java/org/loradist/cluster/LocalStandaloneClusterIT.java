package org.loradist.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A Master and two 1-core Workers in separate JVMs on 127.0.0.1, a client-mode driver in this JVM:
 * tasks really run in two other JVMs, and a job survives the SIGKILL of one of them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStandaloneClusterIT {
  private static final Duration EXECUTOR_WAIT = Duration.ofSeconds(60);
  private static LocalStandaloneCluster cluster;
  private static SparkSession spark;
  private static JavaSparkContext jsc;
  /** Every Spark JVM this class has seen, to prove afterwards that none outlives the cluster. */
  private static final Set<Long> seenPids = Collections.synchronizedSet(new HashSet<>());

  @BeforeAll
  static void startCluster() {
    cluster = LocalStandaloneCluster.start(Paths.get("target", "standalone-it"), 2, 1, "1g");
    seenPids.add(cluster.masterPid());
    seenPids.addAll(cluster.workerPids());
    spark = SparkSession.builder().config(cluster.sparkConfForApp()).appName("LocalStandaloneClusterIT")
        .getOrCreate();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    cluster.awaitExecutors(spark.sparkContext(), 2, EXECUTOR_WAIT);
  }

  @AfterAll
  static void stopAll() {
    try {
      if (spark != null) {
        spark.stop();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
        cluster.close(); // idempotent
      }
    }
    if (cluster == null) {
      return;
    }
    List<Long> alive = seenPids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
        .orElse(false)).collect(Collectors.toList());
    assertThat(alive).as("Spark JVMs still alive after close()").isEmpty();
    // Also any process, seen or not, whose command line names this cluster's directory.
    List<Long> strays = cluster.leftoverPids();
    assertThat(strays).as("processes still using " + cluster.clusterDir()).isEmpty();
  }

  @Test
  @Order(1)
  void tasksRunInTwoExecutorJvmsThatAreNotTheDriver() {
    assertThat(cluster.masterUrl()).matches("spark://127\\.0\\.0\\.1:\\d+");
    assertThat(cluster.workerPids()).hasSize(2).doesNotHaveDuplicates();
    List<Long> executorPids = cluster.executorPids();
    seenPids.addAll(executorPids);
    assertThat(executorPids).hasSize(2);

    // Each task holds its executor's only core for a moment, so the four tasks spread over both.
    List<Long> taskPids = jsc.parallelize(List.of(1, 2, 3, 4), 4).map(i -> {
      Thread.sleep(300);
      return ProcessHandle.current().pid();
    }).collect();

    Set<Long> distinct = new HashSet<>(taskPids);
    assertThat(distinct).hasSize(2)
        .doesNotContain(ProcessHandle.current().pid())
        .containsExactlyInAnyOrderElementsOf(executorPids);
  }

  @Test
  @Order(2)
  void jobCompletesAfterAnExecutorIsKilledMidJob() throws Exception {
    cluster.awaitExecutors(spark.sparkContext(), 2, EXECUTOR_WAIT);
    List<Long> before = cluster.executorPids();
    seenPids.addAll(before);
    assertThat(before).hasSize(2);

    TaskWatcher watcher = new TaskWatcher();
    spark.sparkContext().addSparkListener(watcher);
    try {
      // 8 slow tasks over 2 one-core executors: about four rounds, so a kill lands mid-job.
      JavaRDD<Long> sums = jsc.parallelize(LongStream.rangeClosed(1, 10_000).boxed().collect(Collectors.toList()), 8)
          .mapPartitions(numbers -> {
            long sum = 0;
            while (numbers.hasNext()) {
              sum += numbers.next();
            }
            Thread.sleep(1500);
            return List.of(sum).iterator();
          });
      JavaFutureAction<List<Long>> job = sums.collectAsync();
      watcher.awaitTasksStartedOnExecutors(2, Duration.ofSeconds(30));
      assertThat(job.isDone()).as("job still running when the executor is killed").isFalse();

      long victim = before.get(0);
      cluster.killExecutor(victim);
      assertThat(ProcessHandle.of(victim).map(ProcessHandle::isAlive).orElse(false)).isFalse();

      long total = job.get(60, TimeUnit.SECONDS).stream().mapToLong(Long::longValue).sum();
      assertThat(total).isEqualTo(10_000L * 10_001L / 2);
      assertThat(watcher.executorLostTasks()).as("tasks lost with the killed executor").isPositive();
    } finally {
      spark.sparkContext().removeSparkListener(watcher);
    }

    // The Worker launches a replacement JVM (not waiting for it to register: that is a JVM start, ~5-25 s here).
    List<Long> after = awaitExecutorPids(2);
    seenPids.addAll(after);
    assertThat(after).hasSize(2).doesNotContain(before.get(0)).contains(before.get(1));
  }

  @Test
  @Order(3)
  void killExecutorRefusesAPidThatIsNotAnExecutor() {
    long driverPid = ProcessHandle.current().pid();
    assertThatThrownBy(() -> cluster.killExecutor(driverPid))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a live executor");
    assertThatThrownBy(() -> cluster.killExecutor(cluster.workerPids().get(0)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<Long> awaitExecutorPids(int n) throws InterruptedException {
    long deadline = System.nanoTime() + EXECUTOR_WAIT.toNanos();
    List<Long> pids;
    while ((pids = cluster.executorPids()).size() < n && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return pids;
  }

  /** Records on which executors tasks started, and how many tasks were lost with an executor. */
  private static final class TaskWatcher extends SparkListener {
    private final Set<String> executorsWithTasks = Collections.synchronizedSet(new HashSet<>());
    private final List<Object> lost = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onTaskStart(SparkListenerTaskStart taskStart) {
      executorsWithTasks.add(taskStart.taskInfo().executorId());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
      if (taskEnd.reason() instanceof ExecutorLostFailure) {
        lost.add(taskEnd.reason());
      }
    }

    void awaitTasksStartedOnExecutors(int n, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (executorsWithTasks.size() < n) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("tasks started on only " + executorsWithTasks + " within " + timeout);
        }
        Thread.sleep(20);
      }
    }

    int executorLostTasks() {
      return lost.size();
    }
  }
}
