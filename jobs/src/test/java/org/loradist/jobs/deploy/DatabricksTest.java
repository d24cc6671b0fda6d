package org.loradist.jobs.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/databricks without Databricks: the Jobs API spec is valid JSON whose spark_jar_tasks run the CLI's main
 * class from the assembly, in pipeline order, with valid invocations (CLI --dry-run, its dynamic value references
 * rendered from the job parameters' defaults); the notebook is in Databricks source format and imports only classes
 * that exist, the finetuning stages included.
 */
class DatabricksTest {
  static final Path DIR = Path.of("../deploy/databricks").toAbsolutePath().normalize();
  static final Path SPEC = DIR.resolve("lora_dist_pipeline.job.json");
  static final Path NOTEBOOK = DIR.resolve("lora_dist_explore.scala");
  static final List<String> STAGES = List.of("prep", "embed", "train", "writeback", "eval");
  static final Set<String> NOT_YET_IN_CLI = AirflowDagTest.NOT_YET_IN_CLI;
  static final Pattern REFERENCE = Pattern.compile("\\{\\{([^}]*)}}");
  static final String RUN_DATE = "2024-06-01";

  @Test
  void jobSpecRunsEveryStageFromTheAssemblyInOrder() throws IOException {
    JsonNode job = new ObjectMapper().readTree(SPEC.toFile());
    Map<String, JsonNode> clusters = new HashMap<>();
    job.path("job_clusters").forEach(c -> clusters.put(c.path("job_cluster_key").asText(), c.path("new_cluster")));
    assertThat(clusters).isNotEmpty();
    for (Map.Entry<String, JsonNode> c : clusters.entrySet()) {
      JsonNode cluster = c.getValue();
      assertThat(cluster.path("spark_version").asText()).as(c.getKey()).contains("scala2.12");
      for (String key : List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")) {
        assertThat(cluster.path("spark_conf").path(key).asText()).as(c.getKey() + " " + key)
            .contains("-Dai.djl.offline=true");
      }
      assertThat(cluster.path("spark_env_vars").path("DJL_OFFLINE").asText()).isEqualTo("true");
      assertThat(cluster.path("spark_env_vars").path("DJL_CACHE_DIR").asText()).startsWith("/local_disk0/");
    }

    List<String> keys = new ArrayList<>();
    String previous = null;
    for (JsonNode task : job.path("tasks")) {
      String key = task.path("task_key").asText();
      keys.add(key);
      JsonNode jar = task.path("spark_jar_task");
      assertThat(jar.path("main_class_name").asText()).as(key).isEqualTo("org.loradist.jobs.Main");
      assertThat(task.path("libraries").findValuesAsText("jar")).as(key)
          .singleElement().asString().endsWith("/lora-dist-assembly.jar");
      assertThat(clusters).as(key).containsKey(task.path("job_cluster_key").asText());
      assertThat(task.path("max_retries").asInt()).as(key + ": retries are safe, stages are idempotent").isPositive();
      List<String> dependsOn = task.path("depends_on").findValuesAsText("task_key");
      assertThat(dependsOn).as(key).isEqualTo(previous == null ? List.of() : List.of(previous));
      previous = key;
    }
    assertThat(keys).containsExactlyElementsOf(STAGES);

    JsonNode training = clusters.get(task(job, "train").path("job_cluster_key").asText());
    assertThat(training.path("spark_conf").path("spark.task.cpus").asInt())
        .as("training: one task per executor with all of its cores").isGreaterThan(1);
    List<String> trainArgs = new ArrayList<>();
    task(job, "train").path("spark_jar_task").path("parameters").forEach(a -> trainArgs.add(a.asText()));
    assertThat(trainArgs.get(trainArgs.indexOf("--workers") + 1)).as("one data-parallel worker per executor")
        .isEqualTo(training.path("num_workers").asText());
  }

  /**
   * As "Run now with different parameters" would: the run date from the default ({{job.start_time.iso_date}}), the
   * data paths pointed at real files here, so the invocations stay valid once commands check that inputs exist.
   */
  @Test
  void everyJarTaskIsAValidCliInvocationWritingUnderTheRunDate(@TempDir Path tmp) throws IOException {
    JsonNode job = new ObjectMapper().readTree(SPEC.toFile());
    Map<String, String> parameters = new HashMap<>();
    for (JsonNode p : job.path("parameters")) {
      parameters.put("job.parameters." + p.path("name").asText(),
          p.path("default").asText().replace("{{job.start_time.iso_date}}", RUN_DATE));
    }
    Path corpus = Files.createDirectories(tmp.resolve("incoming").resolve(RUN_DATE));
    Files.copy(Path.of("../samples/quickstart/debian-packages.jsonl.gz"), corpus.resolve("packages.jsonl.gz"));
    Files.writeString(tmp.resolve("train.jsonl"), "{\"query\": \"q\", \"passage\": \"p\"}\n");
    Files.writeString(tmp.resolve("eval.jsonl"), "{\"query\": \"q\", \"passage\": \"p\"}\n");
    Map<String, String> overrides = Map.of("corpus", tmp.resolve("incoming").toString(),
        "data_root", tmp.resolve("data").toString(), "train_examples", tmp.resolve("train.jsonl").toString(),
        "eval_examples", tmp.resolve("eval.jsonl").toString());
    overrides.forEach((name, value) -> {
      assertThat(parameters).as("job parameter " + name).containsKey("job.parameters." + name);
      parameters.put("job.parameters." + name, value);
    });
    List<String> pending = new ArrayList<>();
    for (JsonNode task : job.path("tasks")) {
      String key = task.path("task_key").asText();
      List<String> args = new ArrayList<>();
      task.path("spark_jar_task").path("parameters").forEach(a -> args.add(render(a.asText(), parameters, key)));
      assertThat(args.get(0)).as(key).isEqualTo(key);
      String output = args.get(args.indexOf("--output") + 1);
      assertThat(output).as(key).contains("/runs/" + RUN_DATE + "/").endsWith("/" + key);

      CliDryRun run = CliDryRun.of(args);
      System.out.println("databricks task " + key + ": " + run.describe());
      switch (run.verdict()) {
        case VALID -> { }
        case UNKNOWN_COMMAND -> {
          assertThat(NOT_YET_IN_CLI).as("task " + key + " runs a command the CLI does not know: " + run.err())
              .contains(key);
          pending.add(key);
        }
        case INVALID -> throw new AssertionError("task " + key + " is not a valid invocation: " + run.describe());
      }
    }
    assertThat(pending).doesNotContain("prep", "embed", "train");
    System.out.println("databricks tasks pending a CLI command: " + pending);
  }

  @Test
  void notebookIsDatabricksSourceImportingOnlyClassesThatExist() throws Exception {
    String source = Files.readString(NOTEBOOK);
    assertThat(source).startsWith("// Databricks notebook source\n");
    String[] cells = source.split("\n// COMMAND ----------\n");
    assertThat(cells.length).isGreaterThan(10);

    Matcher imports = Pattern.compile("(?m)^import (org\\.loradist\\.[\\w.]+)\\.(?:\\{([^}]*)}|(\\w+))$")
        .matcher(source);
    List<String> classes = new ArrayList<>();
    while (imports.find()) {
      String pkg = imports.group(1);
      String names = imports.group(2) != null ? imports.group(2) : imports.group(3);
      for (String name : names.split(",")) {
        classes.add(pkg + "." + name.trim());
      }
    }
    assertThat(classes).contains("org.loradist.pipelines.ingest.CorpusReader",
        "org.loradist.pipelines.clean.TextCleaner", "org.loradist.pipelines.dedup.Deduplicator",
        "org.loradist.pipelines.chunk.TextChunker", "org.loradist.pipelines.embed.Embedder",
        "org.loradist.pipelines.finetune.LoraFinetuner", "org.loradist.pipelines.finetune.LoraModel");
    for (String name : classes) {
      assertThat(Class.forName(name, false, getClass().getClassLoader())).as(name).isNotNull();
    }
  }

  @Test
  void notebookFinetunesWithTheRealEstimatorAndHasNoPlaceholderLeft() throws IOException {
    String source = Files.readString(NOTEBOOK);
    assertThat(source).contains("import org.loradist.pipelines.finetune.{LoraFinetuner, LoraModel}",
        "finetuner.fit(", "LoraModel.load(");
    assertThat(source).doesNotContainIgnoringCase("placeholder: `");
    assertThat(classNamed("LoraFinetuner")).as("LoraFinetuner is on the classpath").isNotEmpty();
  }

  private static JsonNode task(JsonNode job, String key) {
    for (JsonNode t : job.path("tasks")) {
      if (t.path("task_key").asText().equals(key)) {
        return t;
      }
    }
    throw new AssertionError("no task " + key);
  }

  /** Dynamic value references, as the Jobs service renders them; an unknown one fails the test. */
  private static String render(String value, Map<String, String> parameters, String task) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String ref = m.group(1).trim();
      assertThat(parameters).as("task " + task + " references {{" + ref + "}}, which the job does not define")
          .containsKey(ref);
      m.appendReplacement(out, Matcher.quoteReplacement(parameters.get(ref)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Classes of lora-dist's own modules (jars or class folders on this classpath) with this simple name. */
  private static List<String> classNamed(String simpleName) throws IOException {
    List<String> found = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isDirectory(p)) {
        try (Stream<Path> files = Files.walk(p)) {
          files.filter(f -> f.getFileName().toString().equals(simpleName + ".class"))
              .forEach(f -> found.add(p.relativize(f).toString()));
        }
      } else if (p.getFileName().toString().matches("(lora-dist|pipelines|jobs)-.*\\.jar")) {
        try (ZipFile zip = new ZipFile(p.toFile())) {
          zip.stream().filter(e -> e.getName().endsWith("/" + simpleName + ".class"))
              .forEach(e -> found.add(e.getName()));
        }
      }
    }
    return found;
  }
}
