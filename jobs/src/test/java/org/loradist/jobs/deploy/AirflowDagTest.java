package org.loradist.jobs.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Airflow DAG (deploy/airflow/dags/lora_dist_pipeline.py) without Airflow, which cannot be installed here: the
 * file compiles with python3, and every task's command, rendered for a run date, is a valid lora-dist invocation
 * (CLI --dry-run in-process). A stage whose command the CLI does not have yet may only be "unknown command", and
 * only if it is listed in {@link #NOT_YET_IN_CLI}; once the command exists its invocation must validate.
 */
class AirflowDagTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path DAG = ROOT.resolve("deploy/airflow/dags/lora_dist_pipeline.py");
  static final Path HELPER = Path.of("src/test/resources/deploy/dag_commands.py").toAbsolutePath();
  static final List<String> STAGES = List.of("prep", "embed", "train", "writeback", "eval");
  /** Stages whose CLI commands land with later issues: none left; kept so a new stage can be staged in. */
  static final Set<String> NOT_YET_IN_CLI = Set.of();

  @TempDir
  static Path tmp;
  static Path submit;

  @BeforeAll
  static void files() throws IOException {
    submit = ROOT.resolve("deploy/bin/lora-dist-submit");
    assertThat(submit).isExecutable();
    // Training and evaluation examples must exist for the invocations to be valid once those commands check them.
    Files.writeString(tmp.resolve("train.jsonl"), "{\"query\": \"q\", \"passage\": \"p\"}\n");
    Files.writeString(tmp.resolve("eval.jsonl"), "{\"query\": \"q\", \"passage\": \"p\"}\n");
  }

  @Test
  void dagFileCompiles() throws Exception {
    Result r = python(List.of("-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], "
        + "doraise=True)", DAG.toString(), tmp.resolve("dag.pyc").toString()));
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(tmp.resolve("dag.pyc")).isNotEmptyFile();
  }

  @Test
  void everyTaskIsAValidCliInvocationWritingUnderItsRunDate() throws Exception {
    JsonNode dag = tasks("2024-06-01");
    assertThat(dag.path("dag_id").asText()).isEqualTo("lora_dist_pipeline");
    List<String> ids = new ArrayList<>();
    dag.path("tasks").forEach(t -> ids.add(t.path("task_id").asText()));
    assertThat(ids).containsExactlyElementsOf(STAGES);

    List<String> pending = new ArrayList<>();
    for (JsonNode task : dag.path("tasks")) {
      String id = task.path("task_id").asText();
      List<String> argv = strings(task.path("argv"));
      List<String> cli = strings(task.path("cli_args"));
      // The shell command is the launcher, spark-submit options, then exactly the CLI arguments.
      assertThat(argv.get(0)).as(id).isEqualTo(submit.toString());
      assertThat(argv.subList(argv.size() - cli.size(), argv.size())).as(id).isEqualTo(cli);
      assertThat(argv).as(id).contains("--name", "lora-dist-" + id + "-2024-06-01");
      assertThat(cli.get(0)).as(id).isEqualTo(id);
      assertThat(String.join(" ", argv)).as(id).doesNotContain("{{", "}}");
      assertThat(value(cli, "--output")).as(id).startsWith(tmp + "/runs/2024-06-01/");

      CliDryRun run = CliDryRun.of(cli);
      System.out.println("airflow task " + id + ": " + run.describe());
      switch (run.verdict()) {
        case VALID -> { }
        case UNKNOWN_COMMAND -> {
          assertThat(NOT_YET_IN_CLI).as("task " + id + " runs a command the CLI does not know: " + run.err())
              .contains(id);
          pending.add(id);
        }
        case INVALID -> throw new AssertionError("task " + id + " is not a valid invocation: " + run.describe());
      }
    }
    assertThat(pending).as("prep, embed and train exist, so their tasks must validate")
        .doesNotContain("prep", "embed", "train");
    System.out.println("airflow tasks pending a CLI command: " + pending);
  }

  @Test
  void eachRunDateHasItsOwnOutputs() throws Exception {
    Set<String> first = outputs(tasks("2024-06-01"));
    Set<String> second = outputs(tasks("2024-06-02"));
    assertThat(first).hasSize(STAGES.size());
    assertThat(second).hasSize(STAGES.size()).doesNotContainAnyElementsOf(first);
  }

  @Test
  void trainingGetsAllOfItsExecutorsCoresPerTask() throws Exception {
    JsonNode train = tasks("2024-06-01").path("tasks").get(STAGES.indexOf("train"));
    List<String> argv = strings(train.path("argv"));
    assertThat(argv).contains("spark.task.cpus=4", "spark.executor.cores=4", "spark.dynamicAllocation.enabled=false");
    // one data-parallel worker per executor: --workers equals the executors asked for
    List<String> cli = strings(train.path("cli_args"));
    assertThat(argv).contains("spark.executor.instances=" + value(cli, "--workers"));
  }

  private static Set<String> outputs(JsonNode dag) {
    Set<String> out = new HashSet<>();
    dag.path("tasks").forEach(t -> out.add(value(strings(t.path("cli_args")), "--output")));
    return out;
  }

  private static JsonNode tasks(String ds) throws Exception {
    Result r = python(List.of(HELPER.toString(), DAG.toString(), ds));
    assertThat(r.code()).as(r.output()).isZero();
    return new ObjectMapper().readTree(r.output());
  }

  private static String value(List<String> args, String flag) {
    int i = args.indexOf(flag);
    assertThat(i).as(flag + " in " + args).isGreaterThanOrEqualTo(0).isLessThan(args.size() - 1);
    return args.get(i + 1);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  record Result(int code, String output) {}

  /** python3 with the DAG's settings pointing into the temp dir and the bundled sample as the day's corpus. */
  private static Result python(List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("python3");
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("LORA_DIST_"));
    env.put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the source tree
    env.put("LORA_DIST_SUBMIT", submit.toString());
    env.put("LORA_DIST_SPARK_ARGS", "--master spark://127.0.0.1:7077 --conf spark.cores.max=2");
    env.put("LORA_DIST_DATA", tmp.toString());
    env.put("LORA_DIST_CORPUS", ROOT.resolve("samples/quickstart").toString());
    env.put("LORA_DIST_CONF", ROOT.resolve("conf/quickstart-prep.conf").toString());
    env.put("LORA_DIST_TRAIN", tmp.resolve("train.jsonl").toString());
    env.put("LORA_DIST_EVAL", tmp.resolve("eval.jsonl").toString());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError("python3 is needed to test the Airflow DAG and was not found on PATH", e);
    }
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("python3 finished").isTrue();
    return new Result(p.exitValue(), output.strip());
  }
}
