package org.loradist.bench.lora;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.loradist.lora.LoraConfig;
import org.loradist.model.TorchThreads;
import org.loradist.train.Replica;
import org.loradist.train.StepInfo;
import org.loradist.train.lora.ClassificationReplicaFactory;
import org.loradist.train.lora.EncoderLoraSpec;
import org.loradist.train.lora.LabeledText;
import org.loradist.train.lora.LoraTask;
import org.loradist.train.lora.LoraTrainingConfig;
import org.loradist.train.lora.Replay;

/**
 * The peer of {@link ScalingBench}: the most a 2-worker data-parallel step can gain on this host when nothing but the
 * compute is left. No Spark, no exchange, no optimizer: the trainer's own classification replica computes the
 * gradients of its shard in a plain JVM with one PyTorch thread, the way an executor with spark.task.cpus=1 does.
 * Leg A is one JVM on the whole batch; leg B is two JVMs at the same time, each on half of it. The ratio of B's
 * tokens/s to A's is the ceiling for ScalingBench's 2x1 vs 1x1 ratio on the same machine: what the cores (shared
 * caches, memory bandwidth, turbo, a hypervisor's scheduling) allow, with Spark's costs taken out.
 *
 * <p>Same model, texts, LoRA config, batch and seed as ScalingBench, so the two runs' figures compare directly:
 * <pre>
 * bench/run.sh lora.ComputeCeilingBench /work/shared/data/debian-packages [timedSteps=10] [warmup=2] [batch=32]
 *     [maxTokens=128]
 * </pre>
 * Both legs' JVMs load the model and run the warm-up steps first, then start the timed steps together on the
 * parent's signal. Prints one JSON line per leg and one for the ratio ({@code lora_compute_ceiling_2_vs_1}).
 */
public final class ComputeCeilingBench {
  private static final long SEED = 7;

  private ComputeCeilingBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args);
      return;
    }
    if (args.length < 1) {
      System.err.println("usage: ComputeCeilingBench DATA_DIR [timedSteps=10] [warmup=2] [batch=32] [maxTokens=128]");
      System.exit(2);
    }
    Path data = Path.of(args[0]).toAbsolutePath();
    int timed = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    int maxTokens = args.length > 4 ? Integer.parseInt(args[4]) : 128;
    if (timed < 1 || warmup < 0 || batch < 2 || batch % 2 != 0) {
      throw new IllegalArgumentException("need timedSteps >= 1, warmup >= 0 and an even batch >= 2; got " + timed
          + ", " + warmup + ", " + batch);
    }
    String loadStart = ScalingBench.loadAverage();
    double a = leg(1, data, timed, warmup, batch, maxTokens);
    double b = leg(2, data, timed, warmup, batch, maxTokens);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("figure", "lora_compute_ceiling_2_vs_1");
    f.put("batch", batch);
    f.put("tokens_per_text", maxTokens);
    f.put("steps_measured", timed);
    f.put("a_tokens_per_s", a);
    f.put("b_tokens_per_s", b);
    f.put("ratio_b_over_a", b / a);
    f.put("host_cores", Runtime.getRuntime().availableProcessors());
    f.put("load_avg_start", loadStart);
    f.put("load_avg_end", ScalingBench.loadAverage());
    ScalingBench.print(f);
  }

  /** Runs {@code workers} child JVMs together; returns the leg's tokens/s (the slowest worker sets the step). */
  private static double leg(int workers, Path data, int timed, int warmup, int batch, int maxTokens)
      throws Exception {
    List<Process> children = new ArrayList<>();
    List<BufferedReader> outputs = new ArrayList<>();
    for (int rank = 0; rank < workers; rank++) {
      ProcessBuilder pb = new ProcessBuilder(childCommand(data, rank, workers, timed, warmup, batch, maxTokens))
          .redirectError(ProcessBuilder.Redirect.INHERIT);
      Process p = pb.start();
      children.add(p);
      outputs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
    }
    try {
      for (int rank = 0; rank < workers; rank++) {
        expectLine(outputs.get(rank), "READY", rank);
      }
      for (Process p : children) {
        Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        w.write("GO\n");
        w.flush();
      }
      double slowestSeconds = 0;
      double[][] steps = new double[workers][];
      for (int rank = 0; rank < workers; rank++) {
        String line = expectLine(outputs.get(rank), "STEPS ", rank);
        steps[rank] = Arrays.stream(line.substring("STEPS ".length()).trim().split(" "))
            .mapToDouble(Double::parseDouble).toArray();
        slowestSeconds = Math.max(slowestSeconds, Arrays.stream(steps[rank]).sum());
      }
      for (Process p : children) {
        if (p.waitFor() != 0) {
          throw new IllegalStateException("a child JVM exited with " + p.exitValue());
        }
      }
      double tokensPerSecond = (double) timed * batch * maxTokens / slowestSeconds;
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("figure", "lora_compute_only_tokens_per_s");
      f.put("leg", workers == 1 ? "A: 1 JVM x 1 thread, whole batch" : "B: 2 JVMs x 1 thread at once, half each");
      f.put("workers", workers);
      f.put("rows_per_worker", batch / workers);
      f.put("train_tokens_per_s", tokensPerSecond);
      for (int rank = 0; rank < workers; rank++) {
        f.put("rank" + rank + "_step_s_median", median(steps[rank]));
      }
      f.put("load_avg_end", ScalingBench.loadAverage());
      ScalingBench.print(f);
      return tokensPerSecond;
    } finally {
      children.forEach(Process::destroyForcibly);
    }
  }

  private static List<String> childCommand(Path data, int rank, int workers, int timed, int warmup, int batch,
      int maxTokens) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-Dai.djl.offline=true",
        "-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile", ""),
        "-cp", ScalingBench.absoluteClassPath(), ComputeCeilingBench.class.getName(), "--child", data.toString(),
        String.valueOf(rank), String.valueOf(workers), String.valueOf(timed), String.valueOf(warmup),
        String.valueOf(batch), String.valueOf(maxTokens)));
    return cmd;
  }

  /** One worker: load, warm up, say READY, wait for GO, time the steps, print STEPS s1 s2 ... */
  private static void child(String[] args) throws Exception {
    Path data = Path.of(args[1]);
    int rank = Integer.parseInt(args[2]);
    int workers = Integer.parseInt(args[3]);
    int timed = Integer.parseInt(args[4]);
    int warmup = Integer.parseInt(args[5]);
    int batch = Integer.parseInt(args[6]);
    int maxTokens = Integer.parseInt(args[7]);
    int steps = timed + warmup;
    List<String> sections = new ArrayList<>();
    List<LabeledText> texts = ScalingBench.fullTexts(data.resolve("train.jsonl.gz"), batch * steps, maxTokens,
        sections);
    // Same as ScalingBench's run: the spec LoraTraining builds from this config.
    LoraTrainingConfig config = LoraTrainingConfig.builder(LoraTask.CLASSIFICATION).maxTokens(maxTokens)
        .lora(LoraConfig.defaults()).batchSize(batch).maxSteps(steps).seed(SEED).build();
    EncoderLoraSpec spec = new EncoderLoraSpec(config.modelPath(), config.maxTokens(), config.lora(), config.seed(),
        config.baseDropout());
    TorchThreads.setIntraOpThreads(1);
    int rows = batch / workers;
    double[] seconds = new double[timed];
    try (Replica<LabeledText> replica = new ClassificationReplicaFactory(spec, sections.size(), null, Replay.none())
        .create()) {
      float[][] trainable = replica.initialTrainable();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (int step = 0; step < steps; step++) {
        if (step == warmup) {
          System.out.println("READY");
          System.out.flush();
          if (!"GO".equals(in.readLine())) {
            throw new IllegalStateException("child " + rank + ": expected GO from the parent");
          }
        }
        int offset = rank * rows;
        List<LabeledText> shard = texts.subList(step * batch + offset, step * batch + offset + rows);
        StepInfo info = new StepInfo(step, steps, 0, 1, batch, batch, offset, (long) step * batch + offset, rank,
            workers, SEED);
        long t0 = System.nanoTime();
        replica.setTrainable(trainable);
        replica.gradients(shard, List.of(), info);
        if (step >= warmup) {
          seconds[step - warmup] = (System.nanoTime() - t0) / 1e9;
        }
      }
    }
    StringBuilder sb = new StringBuilder("STEPS");
    for (double s : seconds) {
      sb.append(' ').append(String.format(Locale.ROOT, "%.4f", s));
    }
    System.out.println(sb);
    System.out.flush();
  }

  private static String expectLine(BufferedReader out, String prefix, int rank) throws Exception {
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IllegalStateException("child " + rank + " ended before printing " + prefix.trim());
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
