package org.loradist.train.lora;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.lora.AdaptedDecoder;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;
import org.loradist.model.GenerationConfig;
import org.loradist.model.TinyGpt2;
import org.loradist.train.AdamWConfig;
import org.loradist.train.Checkpoint;
import org.loradist.train.DataParallelTrainer;
import org.loradist.train.LrSchedule;
import org.loradist.train.ReplicaFactory;
import org.loradist.train.StepMetrics;
import org.loradist.train.TrainConfig;
import org.loradist.train.TrainResult;

/**
 * LoRA on a small random GPT-2 through the data-parallel trainer on local[2], on real records: debian package
 * descriptions, prompted for their archive section. The tokenizer is a byte-level BPE learnt from the same records
 * (GPT-2's own cannot be downloaded here).
 */
class DecoderTrainingTest {
  static final Path DEBIAN = Path.of("../../shared/data/debian-packages/train.jsonl.gz");

  /** The tiny GPT-2 at width 64: a frozen random tied head needs some room to single out a section's tokens. */
  static final org.loradist.model.Gpt2Config CONFIG =
      org.loradist.model.Gpt2Config.of(TinyGpt2.CONFIG.vocabSize(), 128, 64, 2, 4, 0f);

  @TempDir
  static Path dir;
  static String modelPath;
  static SparkSession spark;
  static List<PromptResponse> records = new ArrayList<>();
  static List<String> sections;

  /** Every 150th package (the file is sorted by name): 334 records of varied sections. */
  @BeforeAll
  static void setUp() throws IOException {
    assertThat(DEBIAN).as("the shared data set beside the checkout").exists();
    TreeSet<String> names = new TreeSet<>();
    List<String> texts = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(DEBIAN)),
        StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        if (n++ % 150 != 0) {
          continue;
        }
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        String description = o.get("description").getAsString().replace('\n', ' ');
        String prompt = description.substring(0, Math.min(160, description.length())) + "\nSection:";
        String section = " " + o.get("section").getAsString();
        records.add(new PromptResponse(o.get("package").getAsString(), prompt, section));
        names.add(section.trim());
        texts.add(prompt + section);
      }
    }
    sections = List.copyOf(names);
    modelPath = TinyGpt2.write(dir.resolve("tiny"), CONFIG, 5, texts).toString();
    spark = SparkSession.builder().master("local[2]").appName("decoder-lora")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
    }
  }

  static double meanLoss(List<StepMetrics> m, int from, int to) {
    return m.subList(from, to).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
  }

  @Test
  void causalLmFinetuningDrivesTheResponseLossDownAndWritesAPeftAdapter() throws IOException {
    List<PromptResponse> train = records.subList(0, 300);
    List<PromptResponse> held = records.subList(300, records.size());
    LoraTrainingConfig config = LoraTrainingConfig.builder(LoraTask.CAUSAL_LM).modelPath(modelPath).maxTokens(64)
        .lora(LoraConfig.of(8, 16, 0.05, List.of("c_attn", "c_proj", "c_fc"))).batchSize(16).maxSteps(150)
        .lr(1e-2).warmupRatio(0.05).segmentSteps(50).workers(2).build();
    Path out = dir.resolve("clm");
    LoraTrainingResult r = DecoderTraining.trainCausalLm(spark, train, List.of(), config, out.toString());

    List<StepMetrics> m = r.training().metrics();
    double first = meanLoss(m, 0, 5);
    double last = meanLoss(m, 140, 150);
    System.out.printf("causal LM on debian sections: loss %.3f (steps 1-5) -> %.3f (steps 141-150), %.0f tokens/s%n",
        first, last, r.tokensPerSecond());
    assertThat(last).isLessThan(0.5 * first);
    assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(150);
    assertThat(out.resolve("checkpoints/" + Checkpoint.fileName(150))).exists();

    PeftAdapter adapter = PeftFormat.read(out.resolve("adapter"));
    assertThat(adapter.taskType()).isEqualTo("CAUSAL_LM");
    assertThat(adapter.fanInFanOut()).isTrue();
    assertThat(adapter.modelPrefix()).isEqualTo("transformer.");

    // greedy continuations of held-out prompts: the tuned model names a section, the base model does not
    int tunedHits = 0;
    int baseHits = 0;
    GenerationConfig greedy = GenerationConfig.greedy(6, TinyGpt2.CONFIG.eosTokenId());
    try (AdaptedDecoder tuned = AdaptedDecoder.load(modelPath, adapter);
        AdaptedDecoder base = AdaptedDecoder.load(modelPath, null)) {
      for (PromptResponse p : held) {
        tunedHits += sections.contains(tuned.generate(p.prompt(), greedy).trim()) ? 1 : 0;
        baseHits += sections.contains(base.generate(p.prompt(), greedy).trim()) ? 1 : 0;
      }
    }
    System.out.printf("held-out prompts whose greedy continuation is a section name: tuned %d / %d, base %d%n",
        tunedHits, held.size(), baseHits);
    assertThat(tunedHits).isGreaterThanOrEqualTo(held.size() / 3).isGreaterThan(baseHits);
  }

  static TrainConfig config(String name, int workers, int steps, int segment) {
    return new TrainConfig(workers, 6, 1, steps, segment, 11, AdamWConfig.of(5e-3), LrSchedule.linear(3), 1.0,
        dir.resolve("ckpt-" + name + "-" + workers).toUri().toString(), 0, null);
  }

  static <E extends Serializable> double maxDiffOneVsTwo(ReplicaFactory<E> f, List<E> examples, String name) {
    DataParallelTrainer trainer = new DataParallelTrainer(spark.sparkContext());
    TrainResult one = trainer.train(f, examples, config(name, 1, 12, 50));
    TrainResult two = trainer.train(f, examples, config(name, 2, 12, 50));
    double[] diffAndMoved = DataParallelLoraTest.diffAndMoved(f, one, two);
    System.out.printf("%s: max |adapter(1 worker) - adapter(2 workers)| after 12 steps = %.3g (moved %.3g)%n", name,
        diffAndMoved[0], diffAndMoved[1]);
    return diffAndMoved[0];
  }

  @Test
  void causalLmTwoWorkersEqualOneWithDropoutAndKlReplay() {
    LoraConfig lora = LoraConfig.of(4, 8, 0.1, List.of("c_attn", "c_fc"));
    CausalLmReplicaFactory f = new CausalLmReplicaFactory(new DecoderLoraSpec(modelPath, 48, lora, 5, false),
        new Replay<>(records.subList(300, 310), 2, 0.5, ReplayPenalty.LOGITS_KL));
    assertThat(maxDiffOneVsTwo(f, records.subList(0, 30), "clm")).isLessThanOrEqualTo(1e-4);
  }

  @Test
  void lastTokenClassificationTwoWorkersEqualOneAndTheEntryPointWritesAScoreHead() throws IOException {
    List<LabeledText> examples = new ArrayList<>();
    for (PromptResponse p : records.subList(0, 40)) {
      examples.add(new LabeledText(p.id(), p.prompt(), Math.floorMod(p.response().hashCode(), 3)));
    }
    List<LabeledText> reference = List.of(new LabeledText("r0", "a reference text", LabeledText.UNLABELLED),
        new LabeledText("r1", "another one, labelled", 2));
    LoraConfig lora = LoraConfig.of(4, 8, 0.1, List.of("c_attn")).withModulesToSave(List.of("score"));
    DecoderClassificationReplicaFactory f = new DecoderClassificationReplicaFactory(
        new DecoderLoraSpec(modelPath, 32, lora, 5, false), 3, new float[] {1f, 1.5f, 0.5f},
        new Replay<>(reference, 2, 0.5, ReplayPenalty.LOGITS_KL));
    assertThat(maxDiffOneVsTwo(f, examples, "dcls")).isLessThanOrEqualTo(1e-4);

    // the entry point: encoder defaults (query/value, head "classifier") read as c_attn and "score"
    LoraTrainingConfig config = LoraTrainingConfig.builder(LoraTask.CLASSIFICATION).modelPath(modelPath)
        .maxTokens(32).batchSize(8).maxSteps(4).segmentSteps(2).workers(2).build();
    Path out = dir.resolve("dcls-out");
    LoraTrainingResult r = DecoderTraining.trainClassifier(spark, examples, List.of("a", "b", "c"), List.of(), config,
        out.toString());
    assertThat(r.steps()).isEqualTo(4);
    PeftAdapter back = PeftFormat.read(out.resolve("adapter"));
    assertThat(back.taskType()).isEqualTo("SEQ_CLS");
    assertThat(back.config().targetModules()).containsExactly("c_attn");
    assertThat(back.savedModules()).containsOnlyKeys("score.weight");
    assertThat(LoraTraining.labels(out.resolve("adapter"))).containsExactly("a", "b", "c");
    try (AdaptedDecoder model = AdaptedDecoder.load(modelPath, back, 32)) {
      float[][] logits = model.logits(List.of(examples.get(0).text(), "short"));
      assertThat(logits).hasDimensions(2, 3);
      // the head reads the last-token states: logits = states . score^T (GPT-2's score head has no bias)
      float[][] states = model.lastTokenStates(List.of(examples.get(0).text(), "short"));
      float[] head = back.savedModules().get("score.weight").toFloats();
      int width = CONFIG.nEmbd();
      assertThat(states).hasDimensions(2, width);
      for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 3; k++) {
          double dot = 0;
          for (int j = 0; j < width; j++) {
            dot += states[i][j] * head[k * width + j];
          }
          assertThat(logits[i][k]).isCloseTo((float) dot, org.assertj.core.data.Offset.offset(1e-4f));
        }
      }
    }
  }

  @Test
  void causalLmEvaluationIsTheMeanLossPerResponseTokenWhateverTheBatching() throws IOException {
    List<PromptResponse> some = records.subList(0, 11); // a batch of 8 and one of 3, padded to their longest
    try (AdaptedDecoder base = AdaptedDecoder.load(modelPath, null)) {
      Evaluation.CausalLmMetrics all = Evaluation.causalLm(base, some, 64);
      double nll = 0;
      long tokens = 0;
      for (PromptResponse p : some) {
        Evaluation.CausalLmMetrics one = Evaluation.causalLm(base, List.of(p), 64);
        // one example: the token mean is the training loss's per-example mean
        CausalLm.Sequence seq = CausalLm.encode(base.tokenizer(), p.prompt(), p.response(),
            CONFIG.bosTokenId(), CONFIG.eosTokenId(), 64);
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
          float trainingLoss = CausalLm.crossEntropySum(CausalLm.targetLogProbs(base.model(), m, List.of(seq),
              org.loradist.model.ForwardContext.inference()), List.of(seq)).getFloat();
          assertThat(one.loss()).isCloseTo(trainingLoss, org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(one.tokens()).isEqualTo(seq.targets());
        nll += one.loss() * one.tokens();
        tokens += one.tokens();
      }
      assertThat(all.tokens()).isEqualTo(tokens);
      assertThat(all.examples()).isEqualTo(11);
      assertThat(all.loss()).isCloseTo(nll / tokens, org.assertj.core.data.Offset.offset(1e-5));
      assertThat(all.perplexity()).isCloseTo(Math.exp(all.loss()), org.assertj.core.data.Offset.offset(1e-9));
      assertThat(all.loss()).as("a random model over %d tokens", CONFIG.vocabSize()).isGreaterThan(1.0);
    }
  }

  @Test
  void resumingACausalLmRunFromAMidRunCheckpointGivesTheSameAdapter() {
    CausalLmReplicaFactory f = new CausalLmReplicaFactory(
        new DecoderLoraSpec(modelPath, 48, LoraConfig.of(4, 8, 0.1, List.of("c_attn")), 5, false), null);
    List<PromptResponse> examples = records.subList(0, 30);
    DataParallelTrainer trainer = new DataParallelTrainer(spark.sparkContext());
    TrainConfig full = config("resume-full", 2, 10, 5);
    TrainResult uninterrupted = trainer.train(f, examples, full);
    String mid = dir.resolve("ckpt-resume-full-2").resolve(Checkpoint.fileName(5)).toString();
    TrainResult resumed = trainer.train(f, examples, config("resumed", 2, 10, 5), mid);
    assertThat(resumed.metrics()).hasSize(5);
    assertThat(resumed.state().fingerprint()).isEqualTo(uninterrupted.state().fingerprint());
  }
}
