package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.SparkSession;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.model.TorchThreads;

/**
 * The decoder side of the CLI on a small random GPT-2 written as a Hugging Face directory: {@code train --task
 * causal-lm} on debian-packages records turned into "Package / Description / Section:" prompts with the section as
 * the response, {@code train --task classification} on the same model, {@code generate} with the trained adapter,
 * and the one-line refusals (wrong architecture for the task, missing model, adapter of another base).
 */
class DecoderCliTest {
  static final String PROMPT = "Package: vim\nDescription: Vi IMproved - enhanced vi editor\nSection:";

  @TempDir
  static Path tmp;
  static SparkSession spark;
  static Path model;
  static Path causal;
  static MainTest.Result trained;
  static int threadsBefore;

  @BeforeAll
  static void trainCausalLm() throws Exception {
    threadsBefore = TorchThreads.intraOpThreads();
    TorchThreads.setIntraOpThreads(1); // see TrainJobTest: the shared 2-core box
    model = ByteGpt2.write(tmp.resolve("gpt2"), ByteGpt2.config(128, 32), 1);
    List<String> records = promptRecords(128);
    Path train = TrainExamples.write(tmp.resolve("train.jsonl"), records.subList(0, 96));
    Path eval = TrainExamples.write(tmp.resolve("eval.jsonl"), records.subList(96, 128));
    spark = SparkSession.builder().master("local[2]").appName("decoder-cli-tests").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    causal = tmp.resolve("causal");
    trained = MainTest.run("train", "--task", "causal-lm", "--model", model.toString(), "--train", train.toString(),
        "--eval", eval.toString(), "--output", causal.toString(), "--prompt-field", "instruction",
        "--response-field", "output", "--id-field", "package", "--max-steps", "12", "--batch-size", "8", "--rank",
        "8", "--alpha", "16", "--lr", "1e-2", "--max-tokens", "96", "--checkpoint-every", "6", "--seed", "3");
  }

  @AfterAll
  static void stop() {
    spark.stop();
    TorchThreads.setIntraOpThreads(threadsBefore);
  }

  /**
   * The first {@code n} records of debian-packages' dev split as Alpaca-style fields: instruction "Package: ..\n
   * Description: <synopsis>\nSection:", output " <section>".
   */
  static List<String> promptRecords(int n) throws IOException {
    Path file = Path.of("../../shared/data/debian-packages/dev.jsonl.gz").toAbsolutePath().normalize();
    List<String> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null && out.size() < n; line = in.readLine()) {
        JsonNode r = TrainExamples.JSON.readTree(line);
        ObjectNode o = TrainExamples.JSON.createObjectNode();
        o.put("package", r.get("package").asText());
        o.put("instruction", "Package: " + r.get("package").asText() + "\nDescription: " + r.get("synopsis").asText()
            + "\nSection:");
        o.put("output", " " + r.get("section").asText());
        out.add(TrainExamples.JSON.writeValueAsString(o));
      }
    }
    return out;
  }

  @Test
  void causalLmWritesAdapterEvalAgainstTheBaseModelAndReport() throws Exception {
    assertThat(trained.code()).as(trained.err()).isZero();
    assertThat(trained.out()).contains("lora-dist train: causal-lm, 96 (prompt, response) records, 32 evaluation "
        + "records");
    for (String f : List.of("_SUCCESS", "_manifest.json", "metrics.jsonl", "eval.json", "report.html",
        "adapter/adapter_config.json", "adapter/adapter_model.safetensors", "adapter/lora_dist.json")) {
      assertThat(causal.resolve(f)).as(f).isRegularFile();
    }
    JsonNode config = TrainExamples.JSON.readTree(causal.resolve("adapter/adapter_config.json").toFile());
    assertThat(config.get("task_type").asText()).isEqualTo("CAUSAL_LM");
    assertThat(config.get("fan_in_fan_out").asBoolean()).isTrue();
    assertThat(Files.readAllLines(causal.resolve("metrics.jsonl"))).hasSize(12);

    JsonNode eval = TrainExamples.JSON.readTree(causal.resolve("eval.json").toFile());
    assertThat(eval.get("task").asText()).isEqualTo("causal-lm");
    assertThat(eval.get("eval_examples").asInt()).isEqualTo(32);
    double loss = eval.get("loss").asDouble();
    double baseLoss = eval.path("baseline").get("loss").asDouble();
    assertThat(eval.get("perplexity").asDouble()).isCloseTo(Math.exp(loss), Offset.offset(1e-9 * Math.exp(loss)));
    assertThat(eval.path("baseline").get("perplexity").asDouble())
        .isCloseTo(Math.exp(baseLoss), Offset.offset(1e-9 * Math.exp(baseLoss)));
    // a random base model spreads its bets over 257 byte tokens; 12 steps teach the adapter what sections look like
    assertThat(baseLoss).isGreaterThan(3.0);
    assertThat(loss).isLessThan(baseLoss);
    JsonNode comparison = eval.get("comparison");
    assertThat(comparison.get("metric").asText()).isEqualTo("loss");
    assertThat(comparison.get("better").asText()).isEqualTo("lower");
    assertThat(comparison.get("winner").asText()).isEqualTo("lora");
    assertThat(comparison.get("summary").asText()).startsWith("The LoRA adapter beats the baseline");
    System.out.println("causal-lm eval: " + comparison.get("summary").asText());
    assertThat(Files.readString(causal.resolve("report.html"))).contains("<svg", "perplexity", "c_attn");
  }

  @Test
  void generateWithTheAdapterIsRepeatableGreedyAndWithASeed() {
    String adapter = causal.resolve("adapter").toString();
    List<String> greedy = List.of("generate", "--model", model.toString(), "--adapter", adapter, "--prompt", PROMPT,
        "--max-new-tokens", "12", "--greedy");
    MainTest.Result a = MainTest.run(greedy.toArray(String[]::new));
    assertThat(a.code()).as(a.err()).isZero();
    assertThat(a.out()).isNotBlank();
    assertThat(MainTest.run(greedy.toArray(String[]::new)).out()).isEqualTo(a.out());
    System.out.printf("generate --greedy with the adapter after %s: %s", PROMPT.replace("\n", "\\n"), a.out());

    List<String> sampled = List.of("generate", "--model", model.toString(), "--adapter", adapter, "--prompt", PROMPT,
        "--max-new-tokens", "12", "--seed", "5", "--top-k", "20", "--top-p", "0.9");
    MainTest.Result s = MainTest.run(sampled.toArray(String[]::new));
    assertThat(s.code()).as(s.err()).isZero();
    assertThat(MainTest.run(sampled.toArray(String[]::new)).out()).isEqualTo(s.out());

    MainTest.Result base = MainTest.run("generate", "--model", model.toString(), "--prompt", PROMPT,
        "--max-new-tokens", "12", "--greedy");
    assertThat(base.code()).as(base.err()).isZero();
    assertThat(base.out()).isNotBlank();
  }

  @Test
  void classificationOnADecoderTrainsALastTokenHeadAndComparesWithFrozenStates() throws Exception {
    List<String> sections = List.of("devel", "utils");
    Path train = TrainExamples.write(tmp.resolve("cls-train.jsonl"), TrainExamples.lines("train", sections, 16));
    Path eval = TrainExamples.write(tmp.resolve("cls-eval.jsonl"), TrainExamples.lines("dev", sections, 8));
    Path out = tmp.resolve("cls");
    MainTest.Result r = MainTest.run("train", "--task", "classification", "--model", model.toString(), "--train",
        train.toString(), "--eval", eval.toString(), "--output", out.toString(), "--text-field", "synopsis",
        "--label-field", "section", "--max-steps", "4", "--batch-size", "8", "--rank", "4", "--max-tokens", "48",
        "--checkpoint-every", "4");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode config = TrainExamples.JSON.readTree(out.resolve("adapter/adapter_config.json").toFile());
    assertThat(config.get("task_type").asText()).isEqualTo("SEQ_CLS");
    assertThat(config.get("modules_to_save").toString()).contains("score");
    JsonNode evalJson = TrainExamples.JSON.readTree(out.resolve("eval.json").toFile());
    assertThat(evalJson.get("labels").toString()).isEqualTo("[\"devel\",\"utils\"]");
    for (String key : List.of("accuracy", "macro_f1")) {
      assertThat(evalJson.get(key).asDouble()).as(key).isBetween(0.0, 1.0);
      assertThat(evalJson.path("baseline").get(key).asDouble()).as("baseline " + key).isBetween(0.0, 1.0);
    }
    assertThat(evalJson.path("baseline").get("method").asText()).contains("last-token states");
  }

  @Test
  void refusesTheWrongArchitectureAMissingModelAndAnAdapterOfAnotherBase() throws Exception {
    MainTest.Result r = MainTest.run("train", "--task", "causal-lm", "--train", "t.jsonl", "--output", "o");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).isEqualTo("lora-dist train: causal-lm needs a decoder model (config.json model_type "
        + "gpt2); default (the bundled all-MiniLM-L6-v2) is bert");
    r = MainTest.run("train", "--task", "retrieval", "--model", model.toString(), "--train", "t.jsonl", "--output",
        "o");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).isEqualTo("lora-dist train: retrieval needs an encoder model (config.json model_type "
        + "bert); " + model + " is gpt2");

    r = MainTest.run("train", "--task", "causal-lm", "--model", model.toString(), "--targets", "query,value,dense",
        "--train", "t.jsonl", "--output", "o");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).isEqualTo("lora-dist train: --targets query,value,dense (config key 'train.targets') "
        + "names no module of the GPT-2 at " + model + "; its modules are c_attn, c_proj and c_fc (e.g. "
        + "h.0.attn.c_attn)");

    Path missing = tmp.resolve("no-such-model");
    r = MainTest.run("generate", "--model", missing.toString(), "--prompt", "hi");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).isEqualTo("lora-dist generate: model directory not found: " + missing
        + " (--model, config key 'generate.model')");

    Path wider = ByteGpt2.write(tmp.resolve("gpt2-wider"), ByteGpt2.config(128, 48), 2);
    r = MainTest.run("generate", "--model", wider.toString(), "--adapter", causal.resolve("adapter").toString(),
        "--prompt", PROMPT, "--max-new-tokens", "4");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").startsWith("lora-dist generate: adapter " + causal
        .resolve("adapter") + " does not fit model " + wider).contains("shape");
  }
}
