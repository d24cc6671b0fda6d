package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.jobs.config.JobConfig;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;
import org.loradist.model.TorchThreads;
import org.loradist.pipelines.finetune.LoraModel;
import org.loradist.train.lora.LoraTask;
import org.loradist.weights.HostTensor;

/**
 * {@code lora-dist train} through the CLI on a slice of debian-packages (description → section, 2 sections): the
 * outputs of a run, a run killed mid-training (kill -9 of its JVM) and rerun, which must resume and end with the
 * uninterrupted run's adapter, and the one-line refusals of bad input.
 */
class TrainJobTest {
  static final List<String> SECTIONS = List.of("devel", "utils");
  static final int STEPS = 6;

  @TempDir
  static Path tmp;
  static SparkSession spark;
  static Path train;
  static Path eval;
  static Path complete;
  static MainTest.Result first;
  static int threadsBefore;

  /** The command line of every training run here: rank 4, 32 tokens, batch 8, a checkpoint every 3 steps. */
  static List<String> args(Path output) {
    return List.of("train", "--task", "classification", "--train", train.toString(), "--eval", eval.toString(),
        "--output", output.toString(), "--text-field", "description", "--label-field", "section", "--id-field",
        "package", "--max-steps", Integer.toString(STEPS), "--batch-size", "8", "--rank", "4", "--alpha", "8",
        "--max-tokens", "32", "--checkpoint-every", "3", "--seed", "11");
  }

  @BeforeAll
  static void trainOnce() throws Exception {
    // The 2 cores here are shared with other builds: with 2 intra-op threads PyTorch's OpenMP barriers wait for
    // descheduled threads (steps of 1-10 s instead of 0.2-0.6 s, measured at load ~10). One thread, here and in the
    // killed JVM (OMP_NUM_THREADS), also keeps both runs' arithmetic identical.
    threadsBefore = TorchThreads.intraOpThreads();
    TorchThreads.setIntraOpThreads(1);
    List<String> trainLines = new ArrayList<>(TrainExamples.lines("train", SECTIONS, 16));
    trainLines.add(3, "{\"package\": \"broken\", \"description\": ");            // not JSON: a reject
    trainLines.add(7, "{\"package\": \"unlabelled\", \"description\": \"no section here\"}"); // no label: a reject
    train = TrainExamples.write(tmp.resolve("train.jsonl"), trainLines);
    eval = TrainExamples.write(tmp.resolve("eval.jsonl"), TrainExamples.lines("dev", SECTIONS, 8));
    // one session for the class: the CLI uses the active session (as under spark-submit) instead of its own
    spark = SparkSession.builder().master("local[2]").appName("train-tests").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    complete = tmp.resolve("complete");
    first = MainTest.run(args(complete).toArray(String[]::new));
  }

  @AfterAll
  static void stop() {
    spark.stop();
    TorchThreads.setIntraOpThreads(threadsBefore);
  }

  @Test
  void balancedClassWeightsReachTheTrainer() {
    JobConfig c = JobConfig.load(null, Map.of("train.class-weights", "balanced"));
    assertThat(TrainJob.trainingConfig(c, LoraTask.CLASSIFICATION).balancedClassWeights()).isTrue();
    assertThat(TrainJob.trainingConfig(JobConfig.defaults(), LoraTask.CLASSIFICATION).balancedClassWeights())
        .isFalse();
  }

  @Test
  void writesAdapterCheckpointsMetricsEvalReportAndRejects() throws Exception {
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("lora-dist train: classification, 32 examples, 2 classes, 16 evaluation examples");
    for (String f : List.of("_SUCCESS", "_manifest.json", "metrics.jsonl", "eval.json", "report.html",
        "adapter/adapter_config.json", "adapter/adapter_model.safetensors", "adapter/lora_dist.json")) {
      assertThat(complete.resolve(f)).as(f).isRegularFile();
    }
    try (Stream<Path> ckpts = Files.list(complete.resolve("checkpoints"))) {
      assertThat(ckpts.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ckpt")))
          .contains("step-000000006.ckpt");
    }
    List<String> metrics = Files.readAllLines(complete.resolve("metrics.jsonl"));
    assertThat(metrics).hasSize(STEPS);
    assertThat(TrainExamples.JSON.readTree(metrics.get(STEPS - 1)).get("step").asInt()).isEqualTo(STEPS);

    // the adapter folder is what LoraModel (Spark ML) loads: task, base and class names come with it
    LoraModel model = LoraModel.fromAdapter(complete.resolve("adapter").toString(),
        spark.sparkContext().hadoopConfiguration());
    assertThat(model.task()).isEqualTo(LoraTask.CLASSIFICATION);
    assertThat(model.labels()).isEqualTo(SECTIONS);

    JsonNode evalJson = TrainExamples.JSON.readTree(complete.resolve("eval.json").toFile());
    for (String key : List.of("accuracy", "macro_f1")) {
      assertThat(evalJson.get(key).asDouble()).as(key).isBetween(0.0, 1.0);
      assertThat(evalJson.path("baseline").get(key).asDouble()).as("baseline " + key).isBetween(0.0, 1.0);
    }
    assertThat(evalJson.get("eval_examples").asInt()).isEqualTo(16);
    JsonNode comparison = evalJson.get("comparison");
    double diff = evalJson.get("accuracy").asDouble() - evalJson.path("baseline").get("accuracy").asDouble();
    assertThat(comparison.get("difference").asDouble()).isCloseTo(diff, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(comparison.get("winner").asText()).isEqualTo(diff > 0 ? "lora" : diff < 0 ? "baseline" : "tie");

    String report = Files.readString(complete.resolve("report.html"));
    assertThat(report).contains("<svg", "<polyline", comparison.get("summary").asText()
        .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"));
    assertThat(report).doesNotContain("<script", "src=\"http");

    JsonNode counts = TrainExamples.JSON.readTree(complete.resolve("_manifest.json").toFile()).get("counts");
    assertThat(counts.get("train_rows").asLong()).isEqualTo(34);
    assertThat(counts.get("train_examples").asLong()).isEqualTo(32);
    assertThat(counts.get("train_rejected").asLong()).isEqualTo(2);
    assertThat(counts.get("eval_examples").asLong()).isEqualTo(16);
    assertThat(counts.get("rejected").asLong()).isEqualTo(2);
    List<Row> rejects = spark.read().parquet(complete.resolve("rejects").toString()).orderBy("reason").collectAsList();
    assertThat(rejects).extracting(r -> r.<String>getAs("reason"))
        .containsExactly("field 'section' is null or blank", "not a JSON object");
    assertThat(rejects.get(0).<String>getAs("sample")).isEqualTo("unlabelled");
    assertThat(rejects).allSatisfy(r -> assertThat(r.<String>getAs("stage")).isEqualTo("train:train"));

    // nothing left beside the output: no staging folder, no work folder
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith(".staging-complete") || n.startsWith(".complete.train-work"));
    }
  }

  /**
   * Kill -9 of a training JVM once its first segment is recorded (checkpoint and metrics); the same command again
   * resumes and finishes exactly.
   */
  @Test
  void aKilledRunResumesFromItsLastCheckpointAndEndsWithTheSameAdapter() throws Exception {
    Path output = tmp.resolve("resumed");
    Path checkpoints = tmp.resolve(".resumed.train-work").resolve("checkpoints");
    Path metricsFile = tmp.resolve(".resumed.train-work").resolve("metrics.jsonl");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dai.djl")
          || a.equals("-XX:+IgnoreUnrecognizedVMOptions")) {
        command.add(a);
      }
    }
    command.addAll(List.of("-Xmx2g", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(args(output));
    Path log = tmp.resolve("killed-run.log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    try {
      while (latestStep(checkpoints) == 0 || !Files.exists(metricsFile)) {
        assertThat(p.isAlive()).as("the training JVM ended before its first checkpoint:\n" + Files.readString(log))
            .isTrue();
        assertThat(System.nanoTime()).as("no checkpoint within 120 s").isLessThan(deadline);
        Thread.sleep(20);
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    long killedAt = latestStep(checkpoints);
    assertThat(killedAt).as("killed mid-run").isBetween(1L, (long) STEPS - 1);
    assertThat(output.resolve("_SUCCESS")).doesNotExist();

    MainTest.Result again = MainTest.run(args(output).toArray(String[]::new));
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("resuming from the checkpoint of step " + killedAt);
    assertThat(output.resolve("_SUCCESS")).isRegularFile();
    JsonNode counts = TrainExamples.JSON.readTree(output.resolve("_manifest.json").toFile()).get("counts");
    assertThat(counts.get("resumed_from_step").asLong()).isEqualTo(killedAt);

    // the same adapter, bit for bit, as the run that was never interrupted
    PeftAdapter resumed = PeftFormat.read(output.resolve("adapter"));
    PeftAdapter uninterrupted = PeftFormat.read(complete.resolve("adapter"));
    assertThat(resumed.loraTensors().keySet()).isEqualTo(uninterrupted.loraTensors().keySet());
    assertThat(resumed.savedModules().keySet()).isEqualTo(uninterrupted.savedModules().keySet());
    for (var e : resumed.loraTensors().entrySet()) {
      assertThat(e.getValue().toFloats()).as(e.getKey()).containsExactly(
          uninterrupted.loraTensors().get(e.getKey()).toFloats());
    }
    for (var e : resumed.savedModules().entrySet()) {
      HostTensor u = uninterrupted.savedModules().get(e.getKey());
      assertThat(e.getValue().toFloats()).as(e.getKey()).containsExactly(u.toFloats());
    }
    // every step logged once, the steps before the kill kept from the first attempt
    List<String> steps = Files.readAllLines(output.resolve("metrics.jsonl")).stream()
        .map(l -> l.replaceAll(".*\"step\":(\\d+).*", "$1")).toList();
    assertThat(steps).containsExactly("1", "2", "3", "4", "5", "6");
    JsonNode evalResumed = TrainExamples.JSON.readTree(output.resolve("eval.json").toFile());
    JsonNode evalComplete = TrainExamples.JSON.readTree(complete.resolve("eval.json").toFile());
    assertThat(evalResumed.get("accuracy")).isEqualTo(evalComplete.get("accuracy"));
    assertThat(evalResumed.get("macro_f1")).isEqualTo(evalComplete.get("macro_f1"));
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertThat(siblings.map(p2 -> p2.getFileName().toString()))
          .noneMatch(n -> n.startsWith(".staging-resumed") || n.startsWith(".resumed.train-work"));
    }
  }

  private static long latestStep(Path checkpoints) throws Exception {
    if (!Files.isDirectory(checkpoints)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(checkpoints)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("step-\\d+\\.ckpt"))
          .mapToLong(n -> Long.parseLong(n.substring(5, n.length() - 5))).max().orElse(0);
    }
  }

  @Test
  void badInputIsRefusedWithOneLineNamingWhatIsWrong() throws Exception {
    Path out = tmp.resolve("never");
    MainTest.Result r = run("--label-field", "sectoin");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").contains(train.toString(), "no label field 'sectoin'",
        "--label-field", "train.label-field", "section");

    r = MainTest.run("train", "--task", "sentiment", "--train", train.toString(), "--output", out.toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("unknown task 'sentiment'");

    r = MainTest.run("train", "--task", "causal-lm", "--train", train.toString(), "--output", out.toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).isEqualTo("lora-dist train: causal-lm needs a decoder model (config.json model_type "
        + "gpt2); default (the bundled all-MiniLM-L6-v2) is bert");

    r = MainTest.run("train", "--task", "retrieval", "--train", train.toString(), "--output", out.toString(),
        "--query-field", "synopsis");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("no passage field 'passage'", "--passage-field");

    r = MainTest.run("train", "--task", "retrieval", "--train", train.toString(), "--output", out.toString(),
        "--query-field", "synopsis", "--passage-field", "description", "--class-weights", "balanced");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("train.class-weights=balanced", "the task is retrieval");

    Path oneClass = TrainExamples.write(tmp.resolve("one-class.jsonl"), TrainExamples.lines("train",
        List.of("devel"), 5));
    r = MainTest.run("train", "--task", "classification", "--train", oneClass.toString(), "--output", out.toString(),
        "--text-field", "description", "--label-field", "section");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("at least 2 distinct labels in field 'section', found 1: [devel]");

    r = run("--replay-fraction", "0.1");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("needs reference examples: --replay PATH");

    r = MainTest.run("train", "--task", "classification", "--train", tmp.resolve("missing.jsonl").toString(),
        "--output", out.toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("input not found or empty: " + tmp.resolve("missing.jsonl"), "--train");

    r = MainTest.run("train", "--task", "classification", "--train", train.toString(), "--output", out.toString(),
        "--text-field", "description", "--label-field", "section", "--batch-size", "1", "--workers", "2");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("invalid training settings", "workers");
    assertThat(out).doesNotExist();
  }

  @Test
  void retrievalFromParquetAndGzippedJsonlReportsRankingMetricsBesideTheBaseEncoder() throws Exception {
    Path pairs = tmp.resolve("pairs.parquet");
    spark.read().json(train.toString()).where("section is not null").select("package", "synopsis", "description")
        .coalesce(1).write().parquet(pairs.toString());
    Path evalGz = tmp.resolve("eval-pairs.jsonl.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(evalGz))) {
      out.write(String.join("\n", TrainExamples.lines("dev", SECTIONS, 4)).getBytes(
          java.nio.charset.StandardCharsets.UTF_8));
    }
    Path output = tmp.resolve("retrieval");
    MainTest.Result r = MainTest.run("train", "--task", "retrieval", "--train", pairs.toString(), "--eval",
        evalGz.toString(), "--output", output.toString(), "--query-field", "synopsis", "--passage-field",
        "description", "--max-steps", "2", "--batch-size", "8", "--rank", "4", "--max-tokens", "32", "--lr", "5e-4",
        "--checkpoint-every", "2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("retrieval, 32 (query, passage) pairs, 8 evaluation pairs");
    JsonNode evalJson = TrainExamples.JSON.readTree(output.resolve("eval.json").toFile());
    for (String key : List.of("recall@1", "recall@10", "mrr@10")) {
      assertThat(evalJson.get(key).asDouble()).as(key).isBetween(0.0, 1.0);
      assertThat(evalJson.path("baseline").get(key).asDouble()).as("baseline " + key).isBetween(0.0, 1.0);
    }
    assertThat(evalJson.get("eval_queries").asInt()).isEqualTo(8);
    assertThat(evalJson.path("comparison").get("metric").asText()).isEqualTo("mrr@10");
    assertThat(output.resolve("adapter/adapter_model.safetensors")).isRegularFile();
    assertThat(Files.readString(output.resolve("report.html"))).contains("<svg", "mrr@10");
  }

  /** The run's arguments with some flags overridden (a flag given twice: the later wins). */
  private static MainTest.Result run(String... overrides) {
    List<String> a = new ArrayList<>(args(tmp.resolve("never")));
    a.addAll(List.of(overrides));
    return MainTest.run(a.toArray(String[]::new));
  }

  @Test
  void helpListsTheTrainFlags() {
    MainTest.Result r = MainTest.run("train", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--task", "--train", "--eval", "--output", "--model", "--epochs", "--max-steps",
        "--batch-size", "--lr", "--rank", "--alpha", "--targets", "--workers", "--seed", "--text-field", "--id-field",
        "--label-field", "--query-field", "--passage-field", "--replay", "--replay-fraction", "--replay-penalty");
  }
}
