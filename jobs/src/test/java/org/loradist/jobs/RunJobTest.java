package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.jobs.output.Manifest;

/**
 * {@code lora-dist run} through Main on a slice of the quickstart sample: every stage runs and writes its output;
 * the same command again skips every stage; a changed late-stage setting reruns nothing before it and is refused
 * where its output exists, and runs into new folders when told to.
 */
class RunJobTest {
  static final List<String> STAGES = List.of("prep", "embeddings", "train", "writeback", "eval");

  @TempDir
  static Path tmp;
  static SparkSession spark;
  static Path conf;
  static Path root;

  @BeforeAll
  static void setUp() throws Exception {
    Path corpus = slice(Path.of("../samples/quickstart/debian-packages.jsonl.gz"), 45, tmp.resolve("corpus.jsonl"));
    Path heldout = slice(Path.of("../samples/quickstart/debian-packages-heldout.jsonl.gz"), 15,
        tmp.resolve("heldout.jsonl"));
    root = tmp.resolve("out");
    conf = tmp.resolve("pipeline.conf");
    Files.writeString(conf, String.join("\n",
        "run.output = \"" + root + "\"",
        "prep.input = [\"" + corpus + "\", \"" + heldout + "\"]",
        "prep.read { text-field = description, id-field = package, title-field = synopsis }",
        "embed.max-tokens = 32",
        "train { task = retrieval, train = \"" + corpus + "\", query-field = synopsis, passage-field = description,",
        "  max-steps = 2, batch-size = 8, max-tokens = 32, rank = 4, alpha = 8 }",
        "writeback.max-tokens = 32",
        "query { id-field = package, query-field = synopsis }",
        "eval { queries = \"" + heldout + "\", judgements = \"" + heldout + "\", judgement-query-field = package,",
        "  judgement-target-field = package, judgement-level = doc }",
        ""));
    // one session for the class: run (and each stage) uses the active session instead of its own
    spark = SparkSession.builder().master("local[2]").appName("run-tests").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Path slice(Path gz, int lines, Path to) throws Exception {
    List<String> kept = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)),
        StandardCharsets.UTF_8))) {
      for (String l = r.readLine(); l != null && kept.size() < lines; l = r.readLine()) {
        kept.add(l);
      }
    }
    return Files.writeString(to, String.join("\n", kept) + "\n");
  }

  private static MainTest.Result run(String... extra) {
    List<String> a = new ArrayList<>(List.of("run", "--conf", conf.toString()));
    a.addAll(List.of(extra));
    return MainTest.run(a.toArray(String[]::new));
  }

  private static Map<String, Object> finished() throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String s : STAGES) {
      m.put(s, Manifest.read(Files.readString(root.resolve(s).resolve("_manifest.json"))).get("finished"));
    }
    return m;
  }

  @Test
  void runsEveryStageThenSkipsThemAllAndRefusesOrRedirectsAChangedLateStage() throws Exception {
    MainTest.Result first = run();
    assertThat(first.code()).as(first.err()).isZero();
    for (String s : STAGES) {
      assertThat(root.resolve(s).resolve("_SUCCESS")).as(s).isRegularFile();
    }
    assertThat(root.resolve("train/adapter/adapter_model.safetensors")).isRegularFile();
    assertThat(root.resolve("writeback/embeddings")).isDirectory();
    assertThat(root.resolve("eval/metrics.json")).isRegularFile();
    assertThat(Files.readString(root.resolve("eval/report.html"))).contains("<svg", "ndcg@10");
    assertThat(first.out()).contains("[1/5] prep ->", "[3/5] train ->", "[5/5] eval ->",
        "report " + root.resolve("eval") + "/report.html");
    assertThat(first.out()).containsPattern("train\\s+ran");
    Object verdict = Manifest.read(Files.readString(root.resolve("eval/_manifest.json"))).get("verdict");
    assertThat(first.out()).contains(verdict.toString());
    Map<String, Object> before = finished();

    // The same command again: nothing reruns, no output is touched.
    MainTest.Result again = run();
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(finished()).isEqualTo(before);
    for (String s : List.of("prep", "embed", "train", "writeback", "eval")) {
      assertThat(again.out()).containsPattern(s + "\\s+skipped");
    }
    assertThat(again.out()).doesNotContain("[1/5] prep ->", "[3/5] train ->");

    // A late stage's setting changed: the earlier stages skip, its complete output is refused, untouched.
    MainTest.Result changed = run("--set", "writeback.max-tokens=24");
    assertThat(changed.code()).isEqualTo(Main.USAGE);
    assertThat(changed.err().strip().lines()).hasSize(1);
    assertThat(changed.err()).contains("stage writeback", "refusing to overwrite");
    assertThat(changed.out()).contains("train: " + root.resolve("train") + " is already complete");
    assertThat(finished()).isEqualTo(before);

    // An early stage's setting changed: refused before anything runs, naming the key and both values.
    MainTest.Result early = run("--set", "prep.chunk.max-tokens=200");
    assertThat(early.code()).isEqualTo(Main.USAGE);
    assertThat(early.err()).contains("stage prep", "prep.chunk.max-tokens: 256 -> 200");
    assertThat(finished()).isEqualTo(before);

    // Told where the new versions go, only writeback and eval run; the earlier versions stay.
    MainTest.Result redirected = run("--set", "writeback.max-tokens=24", "--set",
        "writeback.output=" + root.resolve("writeback-24"), "--set", "eval.output=" + root.resolve("eval-24"));
    assertThat(redirected.code()).as(redirected.err()).isZero();
    assertThat(redirected.out()).containsPattern("train\\s+skipped").containsPattern("writeback\\s+ran")
        .containsPattern("eval\\s+ran");
    assertThat(root.resolve("eval-24/report.html")).isRegularFile();
    assertThat(finished()).isEqualTo(before);
  }
}
