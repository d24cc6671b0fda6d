package org.loradist.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.text.TextTokenizer;
import org.loradist.weights.Gpt2Loader;

class Gpt2ModelTest {
  @TempDir
  static Path dir;
  static PretrainedDecoder decoder;

  @BeforeAll
  static void load() throws IOException {
    decoder = Gpt2Loader.loadDirectory(TinyGpt2.write(dir.resolve("tiny"), TinyGpt2.CONFIG, 7, TinyGpt2.TEXTS));
  }

  @AfterAll
  static void close() {
    decoder.close();
  }

  static float[] hidden(Gpt2Model model, NDManager m, long[] ids) {
    return model.hiddenStates(m.create(ids, new Shape(1, ids.length)), null, ForwardContext.inference())
        .toFloatArray();
  }

  @Test
  void tokenizerRoundTripsBytesAndKnowsEos() throws IOException {
    try (TextTokenizer t = decoder.newTokenizer(64)) {
      String text = "Grüße — a fast library for parsing 2 files";
      long[] ids = t.encodeContent(text).ids();
      assertThat(ids.length).isLessThan(text.length()); // merges were applied
      assertThat(t.decode(ids)).isEqualTo(text);
      assertThat(t.tokenId(ByteLevelBpe.EOS)).isEqualTo(TinyGpt2.CONFIG.eosTokenId());
    }
  }

  @Test
  void outputAtPositionTDoesNotDependOnLaterTokens() {
    Gpt2Model model = decoder.newModel();
    try (NDManager m = NDManager.newBaseManager()) {
      long[] a = {5, 17, 300, 42, 99, 7, 8, 9};
      long[] b = a.clone();
      b[5] = 400;
      b[7] = 1;
      float[] ha = hidden(model, m, a);
      float[] hb = hidden(model, m, b);
      int e = TinyGpt2.CONFIG.nEmbd();
      for (int i = 0; i < 5 * e; i++) {
        assertThat(hb[i]).isEqualTo(ha[i]);
      }
      double later = 0;
      for (int i = 5 * e; i < 8 * e; i++) {
        later = Math.max(later, Math.abs(ha[i] - hb[i]));
      }
      assertThat(later).as("positions from 5 on do see the change").isGreaterThan(1e-3);
    }
  }

  @Test
  void cachedForwardEqualsFullRecompute() {
    Gpt2Model model = decoder.newModel();
    try (NDManager m = NDManager.newBaseManager(); KvCache cache = new KvCache(model.config(), m, 1)) {
      long[] ids = {3, 1, 4, 1, 5, 9, 2, 6};
      float[] full = hidden(model, m, ids);
      float[] first = model.hiddenStates(m.create(new long[] {3, 1, 4, 1, 5}, new Shape(1, 5)), cache,
          ForwardContext.inference()).toFloatArray();
      float[] rest = model.hiddenStates(m.create(new long[] {9, 2, 6}, new Shape(1, 3)), cache,
          ForwardContext.inference()).toFloatArray();
      assertThat(cache.length()).isEqualTo(8);
      float[] cached = new float[full.length];
      System.arraycopy(first, 0, cached, 0, first.length);
      System.arraycopy(rest, 0, cached, first.length, rest.length);
      for (int i = 0; i < full.length; i++) {
        assertThat((double) cached[i]).isCloseTo(full[i], org.assertj.core.data.Offset.offset(1e-5));
      }
    }
  }

  @Test
  void greedyAndSampledGenerationWithTheCacheEqualRecomputing() {
    Gpt2Model model = decoder.newModel();
    long[] prompt = {10, 20, 30};
    for (GenerationConfig c : new GenerationConfig[] {GenerationConfig.greedy(12, -1),
        GenerationConfig.sampling(12, -1, 5).withSampling(0.8, 40, 0.9)}) {
      Generator.Result cached = Generator.generate(model, prompt, c, true);
      Generator.Result recomputed = Generator.generate(model, prompt, c.withCache(false), true);
      assertThat(cached.tokens()).hasSize(12).containsExactly(recomputed.tokens());
      for (int s = 0; s < 12; s++) {
        float[] x = cached.stepLogits().get(s);
        float[] y = recomputed.stepLogits().get(s);
        for (int i = 0; i < x.length; i++) {
          assertThat((double) x[i]).isCloseTo(y[i], org.assertj.core.data.Offset.offset(1e-4));
        }
      }
    }
    // sampling is seeded: same seed, same tokens; another seed, (almost surely) others
    GenerationConfig s = GenerationConfig.sampling(12, -1, 1).withSampling(1.5, 0, 1.0);
    assertThat(Generator.generate(model, prompt, s, false).tokens())
        .containsExactly(Generator.generate(model, prompt, s, false).tokens());
  }

  @Test
  void greedyPicksTheArgmaxAndStopsAtEos() {
    Gpt2Model model = decoder.newModel();
    long[] prompt = {10, 20, 30};
    Generator.Result r = Generator.generate(model, prompt, GenerationConfig.greedy(5, -1), true);
    int firstChoice = Generator.argMax(r.stepLogits().get(0));
    assertThat(r.tokens()[0]).isEqualTo(firstChoice);
    Generator.Result stopped = Generator.generate(model, prompt, GenerationConfig.greedy(5, firstChoice), false);
    assertThat(stopped.tokens()).containsExactly(firstChoice);
    assertThat(stopped.stoppedAtEos()).isTrue();
  }

  @Test
  void topKOneIsGreedyAndTopPKeepsTheNucleus() {
    float[] logits = {0f, 3f, 1f, 2.9f};
    java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
    GenerationConfig k1 = GenerationConfig.sampling(1, -1, 0).withSampling(1.0, 1, 1.0);
    GenerationConfig p = GenerationConfig.sampling(1, -1, 0).withSampling(1.0, 0, 0.5);
    for (int i = 0; i < 50; i++) {
      assertThat(Generator.sample(logits, k1, rng)).isEqualTo(1);
      assertThat(Generator.sample(logits, p, rng)).isIn(1, 3); // 1 alone has p ~0.47 < 0.5: 3 joins
    }
  }

  @Test
  void loaderChecksConfigTokenizerAndShapesNamingTheFile() throws IOException {
    Path bad = TinyGpt2.write(dir.resolve("bad"), TinyGpt2.CONFIG, 1, TinyGpt2.TEXTS);
    Files.writeString(bad.resolve("config.json"), Gpt2Config.of(TinyGpt2.CONFIG.vocabSize(), 128, 32, 3, 4, 0f)
        .toJson());
    assertThatThrownBy(() -> Gpt2Loader.loadDirectory(bad)).hasMessageContaining("model.safetensors")
        .hasMessageContaining("missing tensor 'h.2.ln_1.weight'");
    Files.writeString(bad.resolve("config.json"), TinyGpt2.CONFIG.toJson().replace("\"gelu_new\"", "\"relu\""));
    assertThatThrownBy(() -> Gpt2Loader.loadDirectory(bad)).hasMessageContaining("config.json")
        .hasMessageContaining("activation_function 'relu'");
    Files.writeString(bad.resolve("config.json"), "{\"model_type\": \"llama\"}");
    assertThatThrownBy(() -> ModelArchitecture.of(bad.toString())).hasMessage(bad.resolve("config.json")
        + ": model_type 'llama' is not supported (supported: bert, gpt2)");
    assertThat(ModelArchitecture.of(dir.resolve("tiny").toString())).isEqualTo(ModelArchitecture.GPT2);
    assertThat(ModelArchitecture.of("default")).isEqualTo(ModelArchitecture.BERT);
  }

  @Test
  void geluNewIsTheTanhApproximation() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] x = {-6f, -2.5f, -1f, -0.1f, 0f, 0.3f, 1f, 2f, 7f};
      float[] y = Gpt2Model.tanhGelu(m.create(x)).toFloatArray();
      for (int i = 0; i < x.length; i++) {
        double expected = 0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * Math.pow(x[i], 3))));
        assertThat((double) y[i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
      }
    }
  }

  @Test
  void a124mConfigHasGpt2SmallsParameterCount() {
    // 124,439,808 is GPT-2 small's count with the tied head counted once
    assertThat(Gpt2Model.parameterCount(Gpt2Config.gpt2Small())).isEqualTo(124_439_808L);
  }
}
