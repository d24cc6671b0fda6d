package org.loradist.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.loradist.train.AdamW;
import org.loradist.train.AdamWConfig;
import org.loradist.train.DataOrder;
import org.loradist.train.DataParallelTrainer;
import org.loradist.train.FloatCodec;
import org.loradist.train.Gradients;
import org.loradist.train.LrSchedule;
import org.loradist.train.Replica;
import org.loradist.train.ReplicaFactory;
import org.loradist.train.ReplicaPool;
import org.loradist.train.StepInfo;
import org.loradist.train.StepResult;
import org.loradist.train.TensorSpec;
import org.loradist.train.TrainConfig;
import org.loradist.train.TrainResult;
import org.loradist.train.TrainState;

/**
 * Per-step Spark overhead of the data-parallel trainer with a trivial replica (gradient = w - 1, so compute is
 * ~nothing and what is timed is orchestration): the barrier loop (one allGather per step inside a long-lived
 * barrier stage), its per-segment cost (stage launch + checkpoint), and the peer: one Spark job per step (state
 * broadcast, one task per worker, collect, update on the driver). Also Spark's own allGather (1 s poll) for scale.
 *
 * <p>Run: {@code java <spark --add-opens flags> -cp <bench classpath> org.loradist.bench.TrainerOverheadBench
 * [master]}; prints one JSON line per figure.
 */
public final class TrainerOverheadBench {
  private static final int WORKERS = 2;
  private static final int BATCH = 32;

  /** One tensor of {@code floats} values; loss 0.5 |w - 1|^2, the same for every example. */
  record Trivial(int floats) implements ReplicaFactory<Integer> {
    @Override
    public String id() {
      return "bench-trivial-" + floats;
    }

    @Override
    public Replica<Integer> create() {
      return new TrivialReplica(floats);
    }
  }

  static final class TrivialReplica implements Replica<Integer> {
    private final List<TensorSpec> specs;
    private float[] w;

    TrivialReplica(int floats) {
      specs = List.of(new TensorSpec("w", new int[] {floats}));
    }

    @Override
    public List<TensorSpec> trainableSpecs() {
      return specs;
    }

    @Override
    public float[][] initialTrainable() {
      return new float[][] {new float[specs.get(0).size()]};
    }

    @Override
    public void setTrainable(float[][] values) {
      w = values[0].clone();
    }

    @Override
    public StepResult gradients(List<Integer> shard, List<float[]> gathered, StepInfo info) {
      double share = (double) shard.size() / info.examplesPerStep();
      float[] g = new float[w.length];
      double loss = 0;
      for (int i = 0; i < w.length; i++) {
        double d = w[i] - 1.0;
        g[i] = (float) (d * share);
        loss += 0.5 * d * d;
      }
      return new StepResult(loss * share, new float[][] {g}, 0);
    }
  }

  public static void main(String[] args) throws IOException {
    String master = args.length > 0 ? args[0] : "local[2]";
    SparkSession spark = SparkSession.builder().master(master).appName("TrainerOverheadBench")
        .config("spark.ui.enabled", "false").config("spark.task.cpus", "1")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    DataParallelTrainer trainer = new DataParallelTrainer(spark.sparkContext());
    List<Integer> examples = IntStream.range(0, 4096).boxed().toList();
    Path scratch = Files.createTempDirectory("trainer-overhead-bench");
    try {
      for (int floats : new int[] {1_000, 300_000}) {
        Trivial factory = new Trivial(floats);
        barrier(trainer, factory, examples, scratch, 20, 10); // warm-up: JIT, connections, replica pool

        // Rank 0 times every step inside the loop (exchange included); whatever else the run took is per-segment
        // cost: stage launch, state broadcast, checkpoint write and read-back, result collection.
        int steps = 100;
        int k = 10;
        TrainResult run = barrier(trainer, factory, examples, scratch, steps, k);
        double[] stepMs = run.metrics().stream().mapToDouble(m -> 1000 * m.stepSeconds()).sorted().toArray();
        double inLoopMs = Arrays.stream(stepMs).sum();
        double segmentMs = (1000 * run.wallSeconds() - inLoopMs) / run.segments();
        double stepMean = inLoopMs / steps;
        emit("barrier_step_ms_median", floats, master, stepMs[steps / 2], "in-loop step: one allGather + update");
        emit("barrier_step_ms_mean", floats, master, stepMean, "in-loop step, mean over " + steps);
        emit("barrier_segment_ms", floats, master, segmentMs,
            "per segment (K=" + k + "): stage launch, state broadcast, checkpoint, collect");
        int defaultK = TrainConfig.DEFAULT_SEGMENT_STEPS;
        double atDefaultK = stepMean + segmentMs / defaultK;
        emit("barrier_step_ms_at_default_k", floats, master, atDefaultK,
            "mean step + segment/K at K=" + defaultK);
        emit("barrier_step_ms_at_k1", floats, master, stepMean + segmentMs, "mean step + segment at K=1");

        jobPerStep(jsc, factory, examples, 5); // warm-up
        int jobSteps = 40;
        JobRun jobs = jobPerStep(jsc, factory, examples, jobSteps);
        emit("job_per_step_ms_median", floats, master, jobs.stepMs[jobSteps / 2], "peer: one Spark job per step");
        emit("job_per_step_ms_mean", floats, master, Arrays.stream(jobs.stepMs).average().orElse(0),
            "peer: one Spark job per step, mean over " + jobSteps);
        TrainResult same = barrier(trainer, factory, examples, scratch, jobSteps, jobSteps);
        float[] a = same.state().values()[0];
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
          diff = Math.max(diff, Math.abs(a[i] - jobs.values[i]));
        }
        emit("job_vs_barrier_max_abs_diff", floats, master, diff, "same " + jobSteps + " steps both ways");
        emit("job_per_step_over_barrier_at_default_k", floats, master,
            Arrays.stream(jobs.stepMs).average().orElse(0) / atDefaultK, "mean vs mean");
      }

      // Spark's own allGather, which sleeps in 1 s ticks until the gather completes.
      System.setProperty("loradist.barrier.sparkPoll", "true");
      int pollSteps = 5;
      TrainResult polled = barrier(trainer, new Trivial(1_000), examples, scratch, pollSteps, pollSteps);
      System.clearProperty("loradist.barrier.sparkPoll");
      double[] polledMs = polled.metrics().stream().mapToDouble(m -> 1000 * m.stepSeconds()).sorted().toArray();
      emit("spark_allgather_step_ms_median", 1_000, master, polledMs[pollSteps / 2],
          "in-loop step with BarrierTaskContext.allGather as shipped (1 s poll)");
    } finally {
      spark.stop();
    }
  }

  private static TrainResult barrier(DataParallelTrainer trainer, Trivial factory, List<Integer> examples,
      Path scratch, int steps, int segmentSteps) throws IOException {
    String dir = Files.createTempDirectory(scratch, "ckpt").toString();
    TrainConfig config = new TrainConfig(WORKERS, BATCH, 1, steps, segmentSteps, 1, AdamWConfig.of(1e-3),
        LrSchedule.constant(), 1.0, dir, 1, null);
    return trainer.train(factory, examples, config);
  }

  record JobRun(double[] stepMs, float[] values) {
  }

  /** The peer design: the driver holds the state; each step is a Spark job whose tasks return gradients. */
  private static JobRun jobPerStep(JavaSparkContext jsc, Trivial factory, List<Integer> examples, int steps) {
    Broadcast<List<Integer>> shared = jsc.broadcast(examples);
    Replica<Integer> probe = ReplicaPool.borrow(factory);
    TrainState state;
    try {
      state = TrainState.initial(probe.trainableSpecs(), probe.initialTrainable(), 1);
    } finally {
      ReplicaPool.release(factory, probe);
    }
    AdamW adamW = new AdamW(AdamWConfig.of(1e-3), state.specs());
    List<Integer> ranks = IntStream.range(0, WORKERS).boxed().toList();
    double[] stepMs = new double[steps];
    for (long s = 0; s < steps; s++) {
      long t0 = System.nanoTime();
      Broadcast<float[][]> values = jsc.broadcast(copy(state.values()));
      final long step = s;
      List<String> parts = jsc.parallelize(ranks, WORKERS)
          .map(rank -> contribution(factory, shared, values, step, rank))
          .collect();
      values.destroy();
      float[] sum = new float[state.values()[0].length];
      for (String part : parts) { // rank order, as the barrier loop sums
        float[] g = FloatCodec.decode(part);
        for (int i = 0; i < sum.length; i++) {
          sum[i] += g[i + 1];
        }
      }
      float[][] grads = {sum};
      Gradients.clip(grads, Gradients.globalNorm(grads), 1.0);
      adamW.apply(state, grads, 1e-3, s + 1);
      stepMs[(int) s] = (System.nanoTime() - t0) / 1e6;
    }
    shared.destroy();
    Arrays.sort(stepMs);
    return new JobRun(stepMs, state.values()[0].clone());
  }

  private static String contribution(Trivial factory, Broadcast<List<Integer>> shared,
      Broadcast<float[][]> values, long step, int rank) {
    Replica<Integer> replica = ReplicaPool.borrow(factory);
    try {
      replica.setTrainable(values.value());
      DataOrder order = new DataOrder(shared.value().size(), 1);
      int from = DataOrder.shardStart(BATCH, WORKERS, rank);
      int to = DataOrder.shardEnd(BATCH, WORKERS, rank);
      List<Integer> shard = new ArrayList<>();
      for (int i = from; i < to; i++) {
        shard.add(shared.value().get(order.exampleAt(step * BATCH + i)));
      }
      StepInfo info = new StepInfo(step, 0, 0, 1, BATCH, BATCH, from, step * BATCH + from, rank, WORKERS, 1);
      StepResult r = replica.gradients(shard, List.of(), info);
      float[] g = r.gradients()[0];
      float[] msg = new float[g.length + 1];
      msg[0] = (float) r.loss();
      System.arraycopy(g, 0, msg, 1, g.length);
      return FloatCodec.encode(msg);
    } finally {
      ReplicaPool.release(factory, replica);
    }
  }

  private static float[][] copy(float[][] a) {
    float[][] out = new float[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
    }
    return out;
  }

  private static void emit(String figure, int floats, String master, double value, String note) {
    System.out.println(String.format(Locale.ROOT,
        "{\"bench\":\"trainer_overhead\",\"figure\":\"%s\",\"trainable_floats\":%d,\"workers\":%d,"
            + "\"master\":\"%s\",\"value\":%.4f,\"load_avg_1m\":%s,\"note\":\"%s\"}",
        figure, floats, WORKERS, master, value, loadAverage(), note));
  }

  /** The machine's 1-minute load average, printed beside every figure (other work on the box skews them). */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "null";
    }
  }

  private TrainerOverheadBench() {
  }
}
