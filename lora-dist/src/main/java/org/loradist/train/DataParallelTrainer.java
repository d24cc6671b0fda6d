package org.loradist.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Synchronous data-parallel training on Spark: W barrier tasks, one replica each, step in lock step.
 *
 * <p>Why barrier segments: a Spark job per step costs a stage launch, a task-binary broadcast and a collect on
 * every step (TrainerOverheadBench: tens of ms on local[2]), while the exchanged state is small. Inside a barrier
 * stage the tasks stay alive and swap gradients with {@code BarrierTaskContext.allGather} (a driver RPC round trip,
 * a few ms), so the stage launch is paid once per segment of K steps. Each segment ends with a checkpoint written by
 * rank 0; the driver reads it back and starts the next segment from it. If an executor dies, Spark fails and
 * retries the whole barrier stage, which restarts the segment from the same state: the replayed steps give the same
 * bits, so the run ends with the same tensors as an uninterrupted one.
 *
 * <p>Examples travel once per run as a broadcast; per segment the state (tensors + moments) is broadcast; per step
 * only gradients (and phase-1 payloads) move.
 */
public final class DataParallelTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(DataParallelTrainer.class);
  private static final Pattern LOCAL_MASTER = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?\\])?");
  private static final Pattern METRICS_STEP = Pattern.compile("\"step\":(\\d+)");

  private final JavaSparkContext jsc;

  public DataParallelTrainer(SparkContext sc) {
    this.jsc = JavaSparkContext.fromSparkContext(sc);
  }

  /** Trains from the replica's initial values. The checkpoint directory must hold no checkpoint yet. */
  public <E extends Serializable> TrainResult train(ReplicaFactory<E> factory, List<E> examples,
      TrainConfig config) {
    return train(factory, examples, config, null);
  }

  /**
   * Trains, or with {@code resumeFrom} (a checkpoint file, or a directory whose newest checkpoint is used) continues
   * a run: the result is the same as that of the uninterrupted run. The numeric settings and example count must
   * match the checkpoint's; the worker count and K may differ.
   *
   * @throws TrainingDivergedException when a step's loss or gradient is NaN/Inf (nothing of it is applied)
   */
  public <E extends Serializable> TrainResult train(ReplicaFactory<E> factory, List<E> examples,
      TrainConfig config, String resumeFrom) {
    long t0 = System.nanoTime();
    if (examples == null || examples.isEmpty()) {
      throw new IllegalArgumentException("no examples to train on");
    }
    checkSlots(config.workers());
    Configuration hconf = jsc.hadoopConfiguration();
    Map<String, String> settings = new LinkedHashMap<>(config.numericSettings());
    settings.put("example_count", Integer.toString(examples.size()));

    List<TensorSpec> specs;
    float[][] initial;
    Replica<E> probe = ReplicaPool.borrow(factory);
    try {
      specs = List.copyOf(probe.trainableSpecs());
      initial = resumeFrom == null ? probe.initialTrainable() : null;
    } finally {
      ReplicaPool.release(factory, probe);
    }

    TrainState state;
    String lastCheckpoint;
    List<String> metricLines = new ArrayList<>();
    try {
      if (resumeFrom == null) {
        String existing = Checkpoint.latest(config.checkpointDir(), hconf);
        if (existing != null) {
          throw new IllegalArgumentException("checkpoint directory " + config.checkpointDir()
              + " already holds " + existing + "; resume from it or use an empty directory");
        }
        state = TrainState.initial(specs, initial, config.seed());
        lastCheckpoint = null;
      } else {
        Checkpoint.Loaded loaded = Checkpoint.read(resumeFrom, hconf);
        checkCompatible(loaded, settings, specs);
        state = loaded.state();
        lastCheckpoint = loaded.path();
        metricLines.addAll(previousMetrics(config.metricsPath(), state.step(), hconf));
        LOG.info("resuming from {} at step {}/{}", loaded.path(), state.step(), config.totalSteps());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    LOG.info("training {} trainable floats in {} tensors on {} workers: {} steps of {} examples "
            + "({} micro-batches), {} steps per segment, {} examples",
        state.trainableCount(), specs.size(), config.workers(), config.totalSteps(), config.globalBatchSize(),
        config.accumulationSteps(), config.segmentSteps(), examples.size());

    Broadcast<List<E>> sharedExamples = jsc.broadcast(List.copyOf(examples));
    SerializableHadoopConf hadoop = new SerializableHadoopConf(hconf);
    List<StepMetrics> metrics = new ArrayList<>();
    Map<String, Integer> replicasBuilt = new TreeMap<>();
    long firstStep = state.step();
    int segments = 0;
    try {
      while (state.step() < config.totalSteps()) {
        long k = config.segmentSteps();
        // Segment ends on multiples of K, so checkpoints land on the same steps whether or not a run resumed.
        long end = Math.min(config.totalSteps(), (state.step() / k + 1) * k);
        double launchedAt = (System.nanoTime() - t0) / 1e9;
        long segmentStartNanos = System.nanoTime();
        List<SegmentResult> results = runSegment(factory, sharedExamples, state, config, settings, end, hadoop);
        segments++;
        SegmentResult lead = results.get(0);
        for (SegmentResult r : results) {
          replicasBuilt.merge(r.executorId(), r.replicasBuilt(), Math::max);
          if (r.stateFingerprint() != lead.stateFingerprint() || r.step() != lead.step()) {
            throw new IllegalStateException("replicas diverged at step " + lead.step() + ": rank " + r.rank()
                + " holds different bits than rank 0 (a non-deterministic Replica?)");
          }
        }
        for (StepMetrics m : lead.metrics()) {
          StepMetrics timed = m.withElapsed(launchedAt + m.elapsedSeconds());
          metrics.add(timed);
          metricLines.add(timed.toJson());
        }
        writeMetrics(config.metricsPath(), metricLines, hconf);
        if (lead.divergence() != null) {
          StepLoop.Divergence d = lead.divergence();
          throw new TrainingDivergedException(d.step(), d.what(), d.batch(), lastCheckpoint);
        }
        Checkpoint.Loaded loaded = Checkpoint.read(lead.checkpoint(), hconf);
        if (loaded.state().fingerprint() != lead.stateFingerprint()) {
          throw new IllegalStateException("checkpoint " + lead.checkpoint() + " does not hold the trained state");
        }
        state = loaded.state();
        lastCheckpoint = loaded.path();
        logProgress(lead.metrics(), config, (System.nanoTime() - segmentStartNanos) / 1e9,
            (System.nanoTime() - t0) / 1e9, state.step() - firstStep);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      sharedExamples.destroy();
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    LOG.info("trained to step {} in {} segments, {} s; replicas built per executor JVM: {}", state.step(),
        segments, String.format(Locale.ROOT, "%.1f", wall), replicasBuilt);
    return new TrainResult(state, List.copyOf(metrics), lastCheckpoint, segments, wall, replicasBuilt);
  }

  private <E extends Serializable> List<SegmentResult> runSegment(ReplicaFactory<E> factory,
      Broadcast<List<E>> examples, TrainState state, TrainConfig config, Map<String, String> settings, long end,
      SerializableHadoopConf hadoop) {
    Broadcast<TrainState> start = jsc.broadcast(state);
    try {
      SegmentTask<E> task = new SegmentTask<>(factory, examples, start, config, settings, end, hadoop);
      List<Integer> ranks = IntStream.range(0, config.workers()).boxed().toList();
      RDD<Integer> slots = jsc.parallelize(ranks, config.workers()).rdd();
      ClassTag<SegmentResult> tag = ClassTag$.MODULE$.apply(SegmentResult.class);
      jsc.setJobDescription("lora-dist train steps " + (state.step() + 1) + "-" + end);
      RDD<SegmentResult> out = slots.barrier().mapPartitions(task, false, tag);
      List<SegmentResult> results = new ArrayList<>(new JavaRDD<>(out, tag).collect());
      results.sort(Comparator.comparingInt(SegmentResult::rank));
      return results;
    } finally {
      jsc.setJobDescription(null);
      start.destroy();
    }
  }

  /** Barrier stages wait for W free slots; in local mode we know the slot count, so fail fast and clearly. */
  private void checkSlots(int workers) {
    String master = jsc.master();
    Matcher m = LOCAL_MASTER.matcher(master);
    if (!m.matches()) {
      return;
    }
    int cores = m.group(1) == null ? 1
        : m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
    int taskCpus = jsc.getConf().getInt("spark.task.cpus", 1);
    int slots = cores / taskCpus;
    if (workers > slots) {
      throw new IllegalArgumentException("a barrier stage of " + workers + " workers needs " + workers
          + " task slots; master " + master + " with spark.task.cpus=" + taskCpus + " has " + slots);
    }
  }

  private static void checkCompatible(Checkpoint.Loaded loaded, Map<String, String> settings,
      List<TensorSpec> specs) {
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String stored = loaded.settings().get(e.getKey());
      if (!e.getValue().equals(stored)) {
        throw new IllegalArgumentException("cannot resume from " + loaded.path() + ": " + e.getKey() + " was "
            + stored + ", now " + e.getValue());
      }
    }
    if (!loaded.state().specs().equals(specs)) {
      throw new IllegalArgumentException("cannot resume from " + loaded.path() + ": it holds tensors "
          + loaded.state().specs() + " but the replica trains " + specs);
    }
  }

  private static List<String> previousMetrics(String metricsPath, long upToStep, Configuration conf)
      throws IOException {
    List<String> kept = new ArrayList<>();
    if (metricsPath == null) {
      return kept;
    }
    Path path = new Path(metricsPath);
    FileSystem fs = path.getFileSystem(conf);
    if (!fs.exists(path)) {
      return kept;
    }
    try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(path), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        Matcher m = METRICS_STEP.matcher(line);
        if (m.find() && Long.parseLong(m.group(1)) <= upToStep) {
          kept.add(line);
        }
      }
    }
    return kept;
  }

  /** Rewrites the whole file (temp + rename): appends are not portable across Hadoop file systems. */
  private static void writeMetrics(String metricsPath, List<String> lines, Configuration conf) throws IOException {
    if (metricsPath == null) {
      return;
    }
    Path path = new Path(metricsPath);
    FileSystem fs = path.getFileSystem(conf);
    Path tmp = new Path(path.getParent(), "_tmp-" + path.getName() + "-" + UUID.randomUUID());
    try (OutputStream out = fs.create(tmp, true)) {
      for (String line : lines) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    if (fs.exists(path)) {
      fs.delete(path, false);
    }
    if (!fs.rename(tmp, path)) {
      throw new IOException("cannot rename " + tmp + " to " + path);
    }
  }

  private static void logProgress(List<StepMetrics> segment, TrainConfig config, double segmentSeconds,
      double elapsed, long stepsDoneThisCall) {
    if (segment.isEmpty()) {
      return;
    }
    StepMetrics last = segment.get(segment.size() - 1);
    double meanLoss = segment.stream().mapToDouble(StepMetrics::loss).average().orElse(Double.NaN);
    long examples = segment.stream().mapToLong(StepMetrics::examples).sum();
    long tokens = segment.stream().mapToLong(StepMetrics::tokens).sum();
    long remaining = config.totalSteps() - last.step();
    double eta = stepsDoneThisCall > 0 ? elapsed / stepsDoneThisCall * remaining : 0;
    String line = String.format(Locale.ROOT,
        "step %d/%d (%.0f%%) loss %.5f (segment mean %.5f) lr %.3e grad_norm %.4f %.1f examples/s%s "
            + "elapsed %s ETA %s",
        last.step(), config.totalSteps(), 100.0 * last.step() / config.totalSteps(), last.loss(), meanLoss,
        last.lr(), last.gradNorm(), examples / segmentSeconds,
        tokens > 0 ? String.format(Locale.ROOT, " %.0f tokens/s", tokens / segmentSeconds) : "",
        clock(elapsed), clock(eta));
    LOG.info(line);
  }

  private static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }
}
