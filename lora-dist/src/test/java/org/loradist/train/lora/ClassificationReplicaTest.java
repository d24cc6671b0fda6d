package org.loradist.train.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.TinyModels;
import org.loradist.model.Precision;
import org.loradist.train.Replica;
import org.loradist.train.StepInfo;
import org.loradist.train.StepResult;
import org.loradist.train.TensorSpec;
import org.loradist.weights.ModelCache;

/** The classification objective's gradients on a tiny random BERT: who gets them, and that they are right. */
class ClassificationReplicaTest {
  @TempDir
  static Path dir;
  static String modelPath;

  @BeforeAll
  static void tinyModel() throws IOException {
    modelPath = TinyModels.write(dir.resolve("tiny"), TinyModels.CONFIG, 21).toString();
  }

  static LoraConfig lora(double dropout) {
    return LoraConfig.of(4, 8, dropout, List.of("query", "value")).withModulesToSave(List.of("classifier"));
  }

  static final List<LabeledText> SHARD = List.of(
      new LabeledText("a", "a library for parsing json documents", 0),
      new LabeledText("b", "a puzzle game with falling blocks", 1),
      new LabeledText("c", "python bindings for the library", 2),
      new LabeledText("d", "unlabelled reference text", LabeledText.UNLABELLED));

  static StepInfo info(int examples) {
    return new StepInfo(0, 10, 0, 1, examples, examples, 0, 0, 0, 1, 7);
  }

  /** Initial values with a random B, so every adapter tensor has a gradient. */
  static float[][] values(Replica<?> replica, long seed) {
    float[][] v = replica.initialTrainable();
    Random rnd = new Random(seed);
    List<TensorSpec> specs = replica.trainableSpecs();
    for (int t = 0; t < specs.size(); t++) {
      if (specs.get(t).name().endsWith("lora_B.weight") || specs.get(t).name().startsWith("classifier.")) {
        for (int i = 0; i < v[t].length; i++) {
          v[t][i] = (float) (rnd.nextGaussian() * 0.2);
        }
      }
    }
    return v;
  }

  @Test
  void onlyAdaptersAndHeadReceiveGradients() throws IOException {
    ClassificationReplicaFactory f = new ClassificationReplicaFactory(
        new EncoderLoraSpec(modelPath, 32, lora(0.1), 3, false), 3, null, Replay.none());
    try (Replica<LabeledText> r = f.create()) {
      assertThat(r.trainableSpecs()).extracting(TensorSpec::name).containsExactly(
          "encoder.layer.0.attention.self.query.lora_A.weight", "encoder.layer.0.attention.self.query.lora_B.weight",
          "encoder.layer.0.attention.self.value.lora_A.weight", "encoder.layer.0.attention.self.value.lora_B.weight",
          "encoder.layer.1.attention.self.query.lora_A.weight", "encoder.layer.1.attention.self.query.lora_B.weight",
          "encoder.layer.1.attention.self.value.lora_A.weight", "encoder.layer.1.attention.self.value.lora_B.weight",
          "classifier.weight", "classifier.bias");
      r.setTrainable(values(r, 1));
      StepResult res = r.gradients(SHARD, List.of(), info(4));
      assertThat(res.loss()).isGreaterThan(0);
      assertThat(res.tokens()).isGreaterThan(4 * 3);
      for (int t = 0; t < res.gradients().length; t++) {
        double norm = 0;
        for (float g : res.gradients()[t]) {
          norm += g * g;
        }
        assertThat(norm).as(r.trainableSpecs().get(t).name()).isGreaterThan(0);
      }
      for (NDArray p : ModelCache.get(modelPath).parameters(Precision.FP32).values()) {
        assertThat(p.hasGradient()).as(p.getName()).isFalse();
      }
      // the result does not depend on earlier calls
      StepResult again = r.gradients(SHARD, List.of(), info(4));
      assertThat(again.loss()).isEqualTo(res.loss());
      assertThat(again.gradients()[0]).containsExactly(res.gradients()[0]);
    }
  }

  @Test
  void adapterAndHeadGradientsMatchFiniteDifferences() {
    // with the adapters' dropout on: per-example masks make the loss a deterministic function of the tensors
    ClassificationReplicaFactory f = new ClassificationReplicaFactory(
        new EncoderLoraSpec(modelPath, 32, lora(0.2), 3, false), 3, new float[] {1f, 2f, 0.5f}, Replay.none());
    try (Replica<LabeledText> r = f.create()) {
      float[][] v = values(r, 2);
      r.setTrainable(v);
      StepResult exact = r.gradients(SHARD, List.of(), info(4));
      double eps = 1e-2;
      int checked = 0;
      for (int t : new int[] {0, 1, 6, 7, 8, 9}) {
        for (int i : topIndices(exact.gradients()[t], 2)) {
          float saved = v[t][i];
          v[t][i] = (float) (saved + eps);
          r.setTrainable(v);
          double plus = r.gradients(SHARD, List.of(), info(4)).loss();
          v[t][i] = (float) (saved - eps);
          r.setTrainable(v);
          double minus = r.gradients(SHARD, List.of(), info(4)).loss();
          v[t][i] = saved;
          double numeric = (plus - minus) / (2 * eps);
          double analytic = exact.gradients()[t][i];
          assertThat(Math.abs(numeric - analytic))
              .as("%s[%d]: analytic %s, numeric %s", r.trainableSpecs().get(t).name(), i, analytic, numeric)
              .isLessThanOrEqualTo(0.03 * Math.abs(analytic) + 2e-4);
          checked++;
        }
      }
      assertThat(checked).isEqualTo(12);
    }
  }

  static int[] topIndices(float[] g, int k) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < g.length; i++) {
      idx.add(i);
    }
    idx.sort((a, b) -> Float.compare(Math.abs(g[b]), Math.abs(g[a])));
    return idx.subList(0, k).stream().mapToInt(Integer::intValue).toArray();
  }

  @Test
  void replayRowsJoinTheBatchAndThePenaltyIsZeroAtTheStart() {
    List<LabeledText> reference = List.of(new LabeledText("r0", "reference text one", 1),
        new LabeledText("r1", "another reference sentence", LabeledText.UNLABELLED));
    EncoderLoraSpec spec = new EncoderLoraSpec(modelPath, 32, lora(0), 3, false);
    ClassificationReplicaFactory plain = new ClassificationReplicaFactory(spec, 3, null,
        new Replay<>(reference, 2, 0, null));
    ClassificationReplicaFactory penalised = new ClassificationReplicaFactory(spec, 3, null,
        new Replay<>(reference, 2, 5.0, ReplayPenalty.LOGITS_KL));
    ClassificationReplicaFactory cosine = new ClassificationReplicaFactory(spec, 3, null,
        new Replay<>(reference, 2, 5.0, ReplayPenalty.EMBEDDING_COSINE));
    assertThat(plain.id()).isNotEqualTo(penalised.id()).isNotEqualTo(cosine.id());
    List<LabeledText> shard = SHARD.subList(0, 3);
    try (Replica<LabeledText> a = plain.create(); Replica<LabeledText> b = penalised.create();
        Replica<LabeledText> c = cosine.create()) {
      float[][] init = a.initialTrainable(); // B = 0: adapted == base, so every penalty is 0
      a.setTrainable(init);
      b.setTrainable(init);
      c.setTrainable(init);
      StepResult ra = a.gradients(shard, List.of(), info(3));
      StepResult rb = b.gradients(shard, List.of(), info(3));
      StepResult rc = c.gradients(shard, List.of(), info(3));
      assertThat(rb.loss()).isCloseTo(ra.loss(), org.assertj.core.data.Offset.offset(1e-6));
      assertThat(rc.loss()).isCloseTo(ra.loss(), org.assertj.core.data.Offset.offset(1e-6));
      // replay tokens are counted: 3 task rows + 2 replay rows
      StepResult none;
      try (Replica<LabeledText> d = new ClassificationReplicaFactory(spec, 3, null, Replay.none()).create()) {
        d.setTrainable(init);
        none = d.gradients(shard, List.of(), info(3));
      }
      assertThat(ra.tokens()).isGreaterThan(none.tokens());
      // with a moved adapter the penalty is positive
      float[][] moved = values(a, 4);
      a.setTrainable(moved);
      b.setTrainable(moved);
      assertThat(b.gradients(shard, List.of(), info(3)).loss())
          .isGreaterThan(a.gradients(shard, List.of(), info(3)).loss() + 1e-4);
    }
  }

  @Test
  void settingsThatCannotWorkAreRefused() {
    EncoderLoraSpec noHead = new EncoderLoraSpec(modelPath, 32, LoraConfig.of(4, 8, 0, List.of("query")), 3, false);
    assertThatThrownBy(() -> new ClassificationReplicaFactory(noHead, 3, null, null))
        .hasMessageContaining("modules_to_save");
    EncoderLoraSpec spec = new EncoderLoraSpec(modelPath, 32, lora(0), 3, false);
    assertThatThrownBy(() -> new ClassificationReplicaFactory(spec, 3, new float[] {1, 1}, null))
        .hasMessageContaining("2 class weights for 3 classes");
    assertThatThrownBy(() -> new ClassificationReplicaFactory(spec, 1, null, null)).hasMessageContaining("2 classes");
    assertThatThrownBy(() -> new Replay<LabeledText>(List.of(), 2, 0, null)).hasMessageContaining("empty");
  }
}
