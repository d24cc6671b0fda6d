package org.loradist.train.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.TinyModels;
import org.loradist.train.Replica;
import org.loradist.train.StepInfo;
import org.loradist.train.StepResult;

/** GradCache's two phases give the gradient of the whole-batch InfoNCE loss (finite differences). */
class RetrievalReplicaTest {
  @TempDir
  static Path dir;
  static String modelPath;

  @BeforeAll
  static void tinyModel() throws IOException {
    modelPath = TinyModels.write(dir.resolve("tiny"), TinyModels.CONFIG, 44).toString();
  }

  static final List<TextPair> BATCH = List.of(new TextPair("a", "json parser", "a library for parsing json"),
      new TextPair("b", "block puzzle", "a puzzle game with falling blocks"),
      new TextPair("c", "text editor", "a small editor for the terminal"),
      new TextPair("d", "kernel headers", "header files of the linux kernel"));

  static double loss(Replica<TextPair> r, float[][] v, StepInfo info) {
    r.setTrainable(v);
    return r.gradients(BATCH, List.of(r.gatherPayload(BATCH, info)), info).loss();
  }

  @Test
  void cachedEmbeddingGradientsGiveTheFullLossGradient() {
    RetrievalReplicaFactory f = new RetrievalReplicaFactory(
        new EncoderLoraSpec(modelPath, 16, LoraConfig.of(4, 8, 0.2, List.of("query", "value")), 3, false), 20,
        new Replay<>(List.of(new TextPair("r", "fonts", "a collection of fonts")), 1, 2.0,
            ReplayPenalty.EMBEDDING_COSINE));
    StepInfo info = new StepInfo(0, 10, 0, 1, 4, 4, 0, 0, 0, 1, 9);
    try (Replica<TextPair> r = f.create()) {
      float[][] v = ClassificationReplicaTest.values(r, 6);
      double base = loss(r, v, info);
      r.setTrainable(v);
      StepResult exact = r.gradients(BATCH, List.of(r.gatherPayload(BATCH, info)), info);
      assertThat(exact.loss()).isEqualTo(base);
      double eps = 1e-2;
      for (int t : new int[] {0, 1, 7}) {
        for (int i : ClassificationReplicaTest.topIndices(exact.gradients()[t], 2)) {
          float saved = v[t][i];
          v[t][i] = (float) (saved + eps);
          double plus = loss(r, v, info);
          v[t][i] = (float) (saved - eps);
          double minus = loss(r, v, info);
          v[t][i] = saved;
          double numeric = (plus - minus) / (2 * eps);
          double analytic = exact.gradients()[t][i];
          assertThat(Math.abs(numeric - analytic))
              .as("%s[%d]: analytic %s, numeric %s", r.trainableSpecs().get(t).name(), i, analytic, numeric)
              .isLessThanOrEqualTo(0.03 * Math.abs(analytic) + 2e-4);
        }
      }
    }
  }

  @Test
  void aClassificationPenaltyOrAHeadIsRefused() {
    EncoderLoraSpec spec = new EncoderLoraSpec(modelPath, 16, LoraConfig.of(4, 8, 0, List.of("query")), 3, false);
    assertThatThrownBy(() -> new RetrievalReplicaFactory(spec, 20,
        new Replay<>(BATCH, 1, 1.0, ReplayPenalty.LOGITS_KL))).hasMessageContaining("EMBEDDING_COSINE");
    EncoderLoraSpec withHead = new EncoderLoraSpec(modelPath, 16,
        LoraConfig.of(4, 8, 0, List.of("query")).withModulesToSave(List.of("classifier")), 3, false);
    assertThatThrownBy(() -> new RetrievalReplicaFactory(withHead, 20, null)).hasMessageContaining("modules_to_save");
  }
}
