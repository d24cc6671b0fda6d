package org.loradist.bench.lora;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.loradist.cluster.LocalStandaloneCluster;
import org.loradist.lora.LoraConfig;
import org.loradist.train.StepMetrics;
import org.loradist.train.lora.LabeledText;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTraining;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.LoraTrainingResult;

/**
 * Data-parallel scaling of the LoRA trainer on a real Spark standalone cluster (Master, Workers and executors each
 * in their own JVM, started by {@link LocalStandaloneCluster}): configuration A is 1 Worker x 1 core with 1
 * trainer worker, configuration B is 2 Workers x 1 core (two executor JVMs) with 2 trainer workers, run one after
 * the other with the same global batch, data order and seed. The model is the default all-MiniLM-L6-v2,
 * classification of debian-packages sections (the 12 most frequent), LoRA r 8 / alpha 16 / dropout 0.1 on query
 * and value ({@link LoraConfig#defaults()}), batch 32 texts that all fill 128 tokens, spark.task.cpus=1 (so each
 * replica computes with one PyTorch thread).
 *
 * <p>Timing comes from the trainer's own per-step metrics (rank 0's wall time of a step, exchange included): the
 * first {@code warmup} steps are left out, and so are the per-segment costs (executor start, model load, stage
 * launch, checkpoint), which the run puts in a single segment. Bytes are counted at the trainer's all-gather
 * boundary ({@code StepMetrics.exchangeBytesSent/Received}, rank 0), not computed: per worker and step the
 * gradient contribution goes up to Spark's barrier coordinator on the driver and every worker's contribution
 * comes back. The adapters of A and B must agree to 1e-4 (the run's correctness check).
 *
 * <p>Run on a quiet machine (the ratio needs two otherwise idle cores; the lines carry the load average):
 * <pre>
 * bench/run.sh lora.ScalingBench /work/shared/data/debian-packages /tmp/scaling-bench [timedSteps=15] [warmup=2]
 *     [batch=32] [maxTokens=128] [workerMemory=2g]
 * </pre>
 * Prints one JSON line per configuration ({@code lora_training_tokens_per_s_standalone}), one for the scaling
 * ratio ({@code lora_scaling_2x1_vs_1x1}) and one for the bytes exchanged ({@code lora_exchange_bytes_per_step}).
 * Cluster logs stay under {@code OUT_DIR/clusters/}.
 */
public final class ScalingBench {
  private static final Duration EXECUTOR_WAIT = Duration.ofSeconds(180);
  private static final int SECTIONS = 12;
  private static final long SEED = 7;

  private ScalingBench() {
  }

  /** What one configuration measured. */
  record Run(int workers, List<StepMetrics> timed, LoraTrainingResult result, double trainCallSeconds,
      List<Long> executorPids, String loadAvgEnd) {

    double seconds() {
      return timed.stream().mapToDouble(StepMetrics::stepSeconds).sum();
    }

    long tokens() {
      return timed.stream().mapToLong(StepMetrics::tokens).sum();
    }

    double tokensPerSecond() {
      return tokens() / seconds();
    }

    double median(java.util.function.ToDoubleFunction<StepMetrics> f) {
      double[] v = timed.stream().mapToDouble(f).sorted().toArray();
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Bytes are the same every step for this replica; the median guards against a surprise anyway. */
    long medianBytes(java.util.function.ToLongFunction<StepMetrics> f) {
      long[] v = timed.stream().mapToLong(f).sorted().toArray();
      return v[v.length / 2];
    }

    double mean(java.util.function.ToDoubleFunction<StepMetrics> f) {
      return timed.stream().mapToDouble(f).average().orElse(Double.NaN);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ScalingBench DATA_DIR OUT_DIR [timedSteps=15] [warmup=2] [batch=32] [maxTokens=128]"
          + " [workerMemory=2g]");
      System.exit(2);
    }
    Path data = Path.of(args[0]).toAbsolutePath();
    Path out = Path.of(args[1]).toAbsolutePath();
    int timedSteps = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int batch = args.length > 4 ? Integer.parseInt(args[4]) : 32;
    int maxTokens = args.length > 5 ? Integer.parseInt(args[5]) : 128;
    String workerMemory = args.length > 6 ? args[6] : "2g";
    if (timedSteps < 1 || warmup < 0 || batch < 2 || batch % 2 != 0) {
      throw new IllegalArgumentException("need timedSteps >= 1, warmup >= 0 and an even batch >= 2 (it is split "
          + "over 2 workers); got " + timedSteps + ", " + warmup + ", " + batch);
    }
    Files.createDirectories(out);
    String loadStart = loadAverage();

    List<String> sections = new ArrayList<>();
    List<LabeledText> texts = fullTexts(data.resolve("train.jsonl.gz"), batch * (timedSteps + warmup), maxTokens,
        sections);
    LoraTrainingConfig config = LoraTrainingConfig.builder(LoraTask.CLASSIFICATION).maxTokens(maxTokens)
        .lora(LoraConfig.defaults()).batchSize(batch).maxSteps(timedSteps + warmup)
        .segmentSteps(timedSteps + warmup).seed(SEED).build();

    Map<String, Object> common = new LinkedHashMap<>();
    common.put("model", "all-MiniLM-L6-v2 (default)");
    common.put("task", "classification, " + sections.size() + " debian sections");
    common.put("batch", batch);
    common.put("tokens_per_text", maxTokens);
    common.put("rank", config.lora().rank());
    common.put("targets", config.lora().describeTargets());
    common.put("lora_dropout", config.lora().dropout());
    common.put("warmup_steps", warmup);
    common.put("steps_measured", timedSteps);
    common.put("cores_per_executor", 1);
    common.put("spark_task_cpus", 1);
    common.put("host_cores", Runtime.getRuntime().availableProcessors());
    common.put("load_avg_start", loadStart);

    Run one = run(1, texts, sections, config, out, warmup, workerMemory);
    print(configLine(common, one));
    Run two = run(2, texts, sections, config, out, warmup, workerMemory);
    print(configLine(common, two));

    float[][] a = one.result().training().state().values();
    float[][] b = two.result().training().state().values();
    Map<String, Object> s = new LinkedHashMap<>(common);
    s.put("figure", "lora_scaling_2x1_vs_1x1");
    s.put("a_tokens_per_s", one.tokensPerSecond());
    s.put("b_tokens_per_s", two.tokensPerSecond());
    s.put("ratio_b_over_a", two.tokensPerSecond() / one.tokensPerSecond());
    s.put("target_ratio", 1.8);
    s.put("a_step_s_median", one.median(StepMetrics::stepSeconds));
    s.put("b_step_s_median", two.median(StepMetrics::stepSeconds));
    s.put("b_exchange_s_median", two.median(StepMetrics::exchangeSeconds));
    s.put("max_abs_adapter_diff_a_b", maxAbsDiff(a, b));
    s.put("adapter_moved_max_abs", movedFromStart(one));
    s.put("load_avg_end", loadAverage());
    print(s);

    // Bytes: rank 0's own message (sent) and all workers' messages handed back to it (received = what all
    // workers together sent up). The driver's coordinator sends each worker the whole set: W x received down.
    Map<String, Object> x = new LinkedHashMap<>(common);
    long trainable = two.result().trainableParameters();
    x.put("figure", "lora_exchange_bytes_per_step");
    x.put("workers", 2);
    x.put("trainable_floats", trainable);
    x.put("trainable_fp32_bytes", trainable * 4);
    x.put("sent_per_worker_bytes", two.medianBytes(StepMetrics::exchangeBytesSent));
    x.put("sent_all_workers_bytes", two.medianBytes(StepMetrics::exchangeBytesReceived));
    x.put("received_per_worker_bytes", two.medianBytes(StepMetrics::exchangeBytesReceived));
    x.put("driver_fan_out_bytes", 2 * two.medianBytes(StepMetrics::exchangeBytesReceived));
    x.put("sent_over_fp32", two.medianBytes(StepMetrics::exchangeBytesSent) / (trainable * 4.0));
    x.put("one_worker_sent_bytes", one.medianBytes(StepMetrics::exchangeBytesSent));
    x.put("encoding", "base64 of little-endian fp32 gradients + 16-byte header, via BarrierTaskContext.allGather");
    x.put("load_avg_end", loadAverage());
    print(x);
    // Spark's barrier tasks leave a non-daemon timer thread in the driver, which would keep this JVM alive
    System.exit(0);
  }

  /** One configuration on its own fresh cluster of {@code workers} Workers x 1 core, stopped before returning. */
  static Run run(int workers, List<LabeledText> texts, List<String> sections, LoraTrainingConfig base, Path out,
      int warmup, String workerMemory) throws IOException {
    LoraTrainingConfig config = base.toBuilder().workers(workers).build();
    Path outDir = out.resolve("run-" + workers + "x1");
    deleteTree(outDir); // the trainer refuses a checkpoint directory that holds a checkpoint already
    LocalStandaloneCluster cluster = LocalStandaloneCluster.start(out.resolve("clusters"), workers, 1, workerMemory);
    SparkSession spark = null;
    try {
      SparkConf conf = cluster.sparkConfForApp()
          // absolute entries: executors run in their Worker's directory, where relative ones mean nothing
          .set("spark.executor.extraClassPath", absoluteClassPath())
          .set("spark.task.cpus", "1");
      spark = SparkSession.builder().config(conf).appName("ScalingBench-" + workers + "x1").getOrCreate();
      cluster.awaitExecutors(spark.sparkContext(), workers, EXECUTOR_WAIT);
      List<Long> executors = cluster.executorPids();
      long t0 = System.nanoTime();
      LoraTrainingResult r = LoraTraining.trainClassifier(spark, texts, sections, List.of(), config,
          outDir.toString());
      double callSeconds = (System.nanoTime() - t0) / 1e9;
      List<StepMetrics> m = r.training().metrics();
      if (r.training().replicasBuilt().size() != workers) {
        throw new IllegalStateException("expected replicas in " + workers + " executor JVMs, got "
            + r.training().replicasBuilt());
      }
      return new Run(workers, m.subList(warmup, m.size()), r, callSeconds, executors, loadAverage());
    } finally {
      if (spark != null) {
        spark.stop();
      }
      cluster.close();
      List<Long> left = cluster.leftoverPids();
      if (!left.isEmpty()) {
        throw new IllegalStateException("Spark JVMs still running after close: " + left);
      }
    }
  }

  static Map<String, Object> configLine(Map<String, Object> common, Run r) {
    Map<String, Object> f = new LinkedHashMap<>(common);
    f.put("figure", "lora_training_tokens_per_s_standalone");
    f.put("config", r.workers() == 1 ? "A: 1 worker x 1 core" : "B: " + r.workers() + " workers x 1 core");
    f.put("workers", r.workers());
    f.put("executor_jvms", r.result().training().replicasBuilt().size());
    f.put("train_tokens_per_s", r.tokensPerSecond());
    f.put("step_s_median", r.median(StepMetrics::stepSeconds));
    f.put("step_s_mean", r.mean(StepMetrics::stepSeconds));
    f.put("exchange_s_median", r.median(StepMetrics::exchangeSeconds));
    f.put("compute_s_median", r.median(m -> m.stepSeconds() - m.exchangeSeconds()));
    f.put("sent_per_step_bytes", r.medianBytes(StepMetrics::exchangeBytesSent));
    f.put("train_call_s", r.trainCallSeconds());
    f.put("first_loss", r.result().training().metrics().get(0).loss());
    f.put("last_loss", r.timed().get(r.timed().size() - 1).loss());
    f.put("load_avg_end", r.loadAvgEnd());
    return f;
  }

  /**
   * {@code n} training texts of the most frequent sections that fill {@code maxTokens} after truncation (so every
   * batch is batch x maxTokens tokens), labelled by section; fills {@code sections} with the class names.
   */
  static List<LabeledText> fullTexts(Path trainFile, int n, int maxTokens, List<String> sections) throws IOException {
    DebianPackages train = DebianPackages.read(trainFile);
    sections.addAll(train.topSections(SECTIONS).stream().sorted().toList());
    Map<String, Integer> index = new HashMap<>();
    sections.forEach(s -> index.put(s, index.size()));
    List<LabeledText> texts = new ArrayList<>();
    for (DebianPackages.Row r : DebianPackages.fillingMaxTokens(train.sample(sections, Integer.MAX_VALUE, 6), n,
        maxTokens)) {
      texts.add(new LabeledText(r.pkg(), r.text(), index.get(r.section())));
    }
    if (texts.size() == n) {
      return texts;
    }
    throw new IllegalArgumentException(trainFile + " holds only " + texts.size() + " texts of the top " + SECTIONS
        + " sections with at least " + (maxTokens + 2) + " tokens; " + n + " needed");
  }

  private static double movedFromStart(Run r) {
    // the head and B start from known values (B zero); the last loss below the first shows training acted, and
    // the largest |B| shows the adapters themselves moved
    double moved = 0;
    var specs = r.result().training().state().specs();
    float[][] v = r.result().training().state().values();
    for (int t = 0; t < v.length; t++) {
      if (specs.get(t).name().contains("lora_B")) {
        for (float x : v[t]) {
          moved = Math.max(moved, Math.abs(x));
        }
      }
    }
    return moved;
  }

  static double maxAbsDiff(float[][] a, float[][] b) {
    if (a.length != b.length) {
      throw new IllegalStateException("A holds " + a.length + " tensors, B " + b.length);
    }
    double d = 0;
    for (int t = 0; t < a.length; t++) {
      for (int i = 0; i < a[t].length; i++) {
        d = Math.max(d, Math.abs(a[t][i] - b[t][i]));
      }
    }
    return d;
  }

  static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(e -> Path.of(e).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
  }

  /** 1, 5 and 15 minute load averages. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return String.format(Locale.ROOT, "%.2f",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static void print(Map<String, Object> fields) {
    StringBuilder sb = new StringBuilder("{");
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"').append(e.getKey()).append("\":");
      Object v = e.getValue();
      if (v instanceof Double d) {
        sb.append(Math.abs(d) < 1e-3 && d != 0 ? String.format(Locale.ROOT, "%.3e", d)
            : String.format(Locale.ROOT, "%.4f", d));
      } else if (v instanceof Number) {
        sb.append(v);
      } else {
        sb.append('"').append(v).append('"');
      }
    }
    System.out.println(sb.append('}'));
  }
}
