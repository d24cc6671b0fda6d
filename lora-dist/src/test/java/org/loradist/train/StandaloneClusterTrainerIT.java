package org.loradist.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loradist.cluster.LocalStandaloneCluster;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.TinyModels;
import org.loradist.train.lora.ClassificationReplicaFactory;
import org.loradist.train.lora.EncoderLoraSpec;
import org.loradist.train.lora.LabeledText;
import org.loradist.train.lora.Replay;
import org.loradist.train.lora.ReplayPenalty;
import org.loradist.train.lora.RetrievalReplicaFactory;
import org.loradist.train.lora.TextPair;

/**
 * The trainer with the real LoRA replicas (a small random BERT in Hugging Face layout, LoRA r 4 on query and value,
 * adapter dropout and replay on) on a real standalone cluster: a Master and two 1-core Workers in their own JVMs,
 * each running one executor JVM, the driver in this JVM. Two executors give the same adapter as one worker for
 * both objectives; a SIGKILLed executor JVM costs a retried segment on a replacement executor, not the run.
 */
class StandaloneClusterTrainerIT {
  private static final Duration EXECUTOR_WAIT = Duration.ofSeconds(120);
  private static final String[] TOPICS = {"library", "game", "editor", "kernel", "font", "python"};
  private static final String[] WORDS = {"fast", "small", "free", "simple", "portable", "secure", "modern"};

  private static Path dir;
  private static LocalStandaloneCluster cluster;
  private static SparkSession spark;
  private static DataParallelTrainer trainer;
  private static ClassificationReplicaFactory classifier;
  private static RetrievalReplicaFactory retriever;
  private static TrainResult cleanTwoWorkerClassification;
  private static final Set<Long> seenPids = Collections.synchronizedSet(new HashSet<>());

  @BeforeAll
  static void startCluster() throws IOException {
    dir = Files.createTempDirectory(Paths.get("target").toAbsolutePath(), "cluster-trainer-it-");
    String model = TinyModels.write(dir.resolve("tiny-bert"), TinyModels.CONFIG, 33).toString();
    LoraConfig lora = LoraConfig.of(4, 8, 0.1, List.of("query", "value"));
    classifier = new ClassificationReplicaFactory(
        new EncoderLoraSpec(model, 16, lora.withModulesToSave(List.of("classifier")), 5, false), 3,
        new float[] {1f, 1.5f, 0.5f}, new Replay<>(List.of(new LabeledText("r0", "a reference about fonts", 1),
            new LabeledText("r1", "an unlabelled reference", LabeledText.UNLABELLED)), 1, 0.5,
            ReplayPenalty.LOGITS_KL));
    retriever = new RetrievalReplicaFactory(new EncoderLoraSpec(model, 16, lora, 5, false), 20,
        new Replay<>(List.of(new TextPair("r0", "fonts", "a reference about fonts")), 1, 0.5,
            ReplayPenalty.EMBEDDING_COSINE));

    cluster = LocalStandaloneCluster.start(dir, 2, 1, "768m");
    seenPids.add(cluster.masterPid());
    seenPids.addAll(cluster.workerPids());
    spark = SparkSession.builder().config(cluster.sparkConfForApp()).appName("StandaloneClusterTrainerIT")
        .config("spark.task.cpus", "1").getOrCreate();
    cluster.awaitExecutors(spark.sparkContext(), 2, EXECUTOR_WAIT);
    seenPids.addAll(cluster.executorPids());
    trainer = new DataParallelTrainer(spark.sparkContext());
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
      }
    }
    if (cluster == null) {
      return;
    }
    List<Long> alive = seenPids.stream()
        .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).collect(Collectors.toList());
    assertThat(alive).as("Spark JVMs still alive after close()").isEmpty();
    assertThat(cluster.leftoverPids()).as("processes still using " + cluster.clusterDir()).isEmpty();
  }

  private static String text(int i) {
    return "a " + WORDS[i % WORDS.length] + " " + TOPICS[i % TOPICS.length] + " " + WORDS[(i / 3) % WORDS.length];
  }

  private static List<LabeledText> classification() {
    List<LabeledText> examples = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      examples.add(new LabeledText("t" + i, text(i), i % 3));
    }
    return examples;
  }

  private static List<TextPair> retrieval() {
    List<TextPair> examples = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      examples.add(new TextPair("p" + i, TOPICS[i % TOPICS.length] + " " + WORDS[i % WORDS.length], text(i)));
    }
    return examples;
  }

  /** 20 steps of 6 examples, a segment (barrier stage, checkpoint) every 5 steps. */
  private static TrainConfig config(String name, int workers) {
    return new TrainConfig(workers, 6, 1, 20, 5, 11, AdamWConfig.of(5e-3), LrSchedule.linear(3), 1.0,
        dir.resolve("ckpt-" + name).toUri().toString(), 1, null);
  }

  private static synchronized TrainResult cleanTwoWorkerClassification() {
    if (cleanTwoWorkerClassification == null) {
      cleanTwoWorkerClassification = trainer.train(classifier, classification(), config("cls-2", 2));
    }
    return cleanTwoWorkerClassification;
  }

  /** Max |a - b| over all trainable tensors, after checking that training moved them. */
  private static <E extends Serializable> double maxDiff(ReplicaFactory<E> f, TrainResult a, TrainResult b) {
    float[][] init;
    try (Replica<E> r = f.create()) {
      init = r.initialTrainable();
    }
    double diff = 0;
    double moved = 0;
    float[][] x = a.state().values();
    float[][] y = b.state().values();
    for (int t = 0; t < x.length; t++) {
      for (int i = 0; i < x[t].length; i++) {
        diff = Math.max(diff, Math.abs(x[t][i] - y[t][i]));
        moved = Math.max(moved, Math.abs(x[t][i] - init[t][i]));
      }
    }
    assertThat(moved).as("the adapter moved away from its start").isGreaterThan(1e-2);
    return diff;
  }

  @Test
  void twoExecutorJvmsGiveTheSameAdapterAsOneWorkerForBothObjectives() {
    TrainResult clsTwo = cleanTwoWorkerClassification();
    TrainResult clsOne = trainer.train(classifier, classification(), config("cls-1", 1));
    double clsDiff = maxDiff(classifier, clsTwo, clsOne);

    TrainResult retTwo = trainer.train(retriever, retrieval(), config("ret-2", 2));
    TrainResult retOne = trainer.train(retriever, retrieval(), config("ret-1", 1));
    double retDiff = maxDiff(retriever, retTwo, retOne);

    System.out.printf("standalone cluster, LoRA on tiny BERT, 20 steps: max |adapter(2 executors) - adapter(1 "
        + "worker)| classification %.3g, retrieval (global-batch negatives) %.3g; 2-worker runs %.1f s, %.1f s%n",
        clsDiff, retDiff, clsTwo.wallSeconds(), retTwo.wallSeconds());
    for (TrainResult r : List.of(clsTwo, clsOne, retTwo, retOne)) {
      assertThat(r.state().step()).isEqualTo(20);
      assertThat(r.metrics()).hasSize(20);
    }
    assertThat(clsDiff).isLessThanOrEqualTo(1e-4);
    assertThat(retDiff).isLessThanOrEqualTo(1e-4);
    // both executor JVMs built a replica: the 2-worker runs really ran in two JVMs
    assertThat(clsTwo.replicasBuilt()).hasSize(2);
    assertThat(retTwo.replicasBuilt()).hasSize(2);
  }

  @Test
  void killingAnExecutorJvmMidRunCostsARetriedSegmentNotTheRun() throws Exception {
    TrainResult clean = cleanTwoWorkerClassification();
    cluster.awaitExecutors(spark.sparkContext(), 2, EXECUTOR_WAIT);
    List<Long> before = cluster.executorPids();
    seenPids.addAll(before);
    assertThat(before).hasSize(2);

    Path marker = dir.resolve("paused-executor.pid");
    // Rank 1 stops in step 12 (mid third segment, steps 10-14) and waits to be killed.
    PausingReplicaFactory<LabeledText> pausing = new PausingReplicaFactory<>(classifier, 12, 1, marker.toString(),
        120_000);
    LostTasks lost = new LostTasks();
    spark.sparkContext().addSparkListener(lost);
    TrainResult survived;
    long victim;
    try {
      CompletableFuture<TrainResult> run = CompletableFuture.supplyAsync(
          () -> trainer.train(pausing, classification(), config("cls-killed", 2)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.exists(marker) && !run.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(run.isDone()).as("run still going when rank 1 reached step 12").isFalse();
      assertThat(marker).as("rank 1 reached step 12 within 120 s").exists();
      victim = Long.parseLong(Files.readString(marker).trim());
      assertThat(before).contains(victim);
      cluster.killExecutor(victim); // SIGKILL, as a crash
      assertThat(ProcessHandle.of(victim).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      survived = run.get(300, TimeUnit.SECONDS);
    } finally {
      spark.sparkContext().removeSparkListener(lost);
      seenPids.addAll(cluster.executorPids());
    }
    double diff = TestData.maxAbsDiff(survived.state(), clean.state());
    System.out.printf("standalone cluster, executor pid %d SIGKILLed at step 12: run finished at step %d in %.1f s, "
        + "%d task(s) lost with it, replicas built per executor %s, max |adapter - uninterrupted adapter| %.3g%n",
        victim, survived.state().step(), survived.wallSeconds(), lost.count(), survived.replicasBuilt(), diff);
    assertThat(survived.state().step()).isEqualTo(20);
    assertThat(lost.count()).as("tasks lost with the killed executor").isPositive();
    // the retried segment ran on a replacement executor JVM: three executors built this factory's replicas
    assertThat(survived.replicasBuilt().keySet()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(cluster.executorPids()).doesNotContain(victim);
    assertThat(diff).isLessThanOrEqualTo(1e-6);
  }

  /** Counts tasks that failed because their executor was lost. */
  private static final class LostTasks extends SparkListener {
    private final List<Object> lost = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
      if (taskEnd.reason() instanceof ExecutorLostFailure) {
        lost.add(taskEnd.reason());
      }
    }

    int count() {
      return lost.size();
    }
  }
}
