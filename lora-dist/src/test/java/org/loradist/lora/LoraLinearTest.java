package org.loradist.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loradist.model.BertEncoder;
import org.loradist.model.EncoderInput;
import org.loradist.model.ForwardContext;
import org.loradist.text.TokenizedText;
import org.loradist.weights.HostTensor;

/** LoRA layers on a small random BERT: identity at B = 0, merge, targeting, per-example dropout. */
class LoraLinearTest {
  private static NDManager weights;
  private static Map<String, HostTensor> host;
  private static Map<String, NDArray> params;

  @BeforeAll
  static void model() {
    weights = NDManager.newBaseManager();
    host = TinyModels.randomWeights(TinyModels.CONFIG, 5);
    params = TinyModels.toArrays(weights, host);
  }

  @AfterAll
  static void free() {
    weights.close();
  }

  private static TokenizedText text(long... ids) {
    long[] ones = new long[ids.length];
    Arrays.fill(ones, 1);
    return new TokenizedText(ids, new long[ids.length], ones, new int[ids.length], new int[ids.length],
        new boolean[ids.length], false);
  }

  private static List<TokenizedText> batch() {
    return List.of(text(101, 2023, 2003, 1037, 3231, 102), text(101, 7592, 102), text(101, 2000, 2022, 102));
  }

  /** Values with random B too, so the adapter changes the output. */
  private static float[][] randomValues(LoraAdapters adapters, long seed) {
    float[][] v = adapters.initialValues(seed);
    Random rnd = new Random(seed);
    for (int t = 1; t < v.length; t += 2) {
      for (int i = 0; i < v[t].length; i++) {
        v[t][i] = (float) (rnd.nextGaussian() * 0.3);
      }
    }
    return v;
  }

  @Test
  void withZeroBTheModelIsTheBaseModelExactly() {
    BertEncoder base = new BertEncoder(TinyModels.CONFIG, params);
    BertEncoder adapted = new BertEncoder(TinyModels.CONFIG, params);
    LoraAdapters adapters = LoraInjector.inject(adapted, LoraConfig.defaults());
    try (NDManager m = NDManager.newBaseManager()) {
      adapters.bind(m, adapters.initialValues(3), false);
      EncoderInput in = EncoderInput.of(m, batch());
      float[] expected = base.hiddenStates(in, ForwardContext.inference()).toFloatArray();
      assertThat(adapted.hiddenStates(in, ForwardContext.inference()).toFloatArray()).containsExactly(expected);
      // also with the adapters' dropout on: B = 0 makes the whole update zero
      adapters.setExampleDropout(new ExampleDropout(new long[] {1, 2, 3}, new int[] {6, 3, 4}));
      assertThat(adapted.hiddenStates(in, ForwardContext.inference()).toFloatArray()).containsExactly(expected);
      // and A really is non-zero, Kaiming-uniform within 1/sqrt(in)
      float[] a = adapters.layer("encoder.layer.0.attention.self.query").loraA().toFloatArray();
      double bound = 1 / Math.sqrt(32);
      assertThat(Arrays.stream(box(a)).mapToDouble(x -> Math.abs(x)).max().orElseThrow()).isLessThanOrEqualTo(bound);
      assertThat(Arrays.stream(box(a)).filter(x -> x != 0).count()).isEqualTo(a.length);
    }
  }

  @Test
  void adapterDropoutCoversABatchLargerThanAnInferenceSlice() {
    // 80 rows x 32 tokens is above the encoder's inference slice (2,048 tokens): the training forward still sees the
    // whole batch its dropout was planned for
    BertEncoder adapted = new BertEncoder(TinyModels.CONFIG, params);
    LoraAdapters adapters = LoraInjector.inject(adapted, LoraConfig.defaults());
    List<TokenizedText> texts = new java.util.ArrayList<>();
    long[] seeds = new long[80];
    int[] lengths = new int[80];
    for (int i = 0; i < 80; i++) {
      long[] ids = new long[32];
      ids[0] = 101;
      for (int t = 1; t < 31; t++) {
        ids[t] = 2000 + (i * 31 + t) % 500;
      }
      ids[31] = 102;
      texts.add(text(ids));
      seeds[i] = i + 1;
      lengths[i] = 32;
    }
    try (NDManager m = NDManager.newBaseManager()) {
      adapters.bind(m, randomValues(adapters, 4), false);
      EncoderInput in = EncoderInput.of(m, texts);
      adapters.setExampleDropout(new ExampleDropout(seeds, lengths));
      NDArray states = adapted.hiddenStates(in, ForwardContext.inference());
      assertThat(states.getShape().get(0)).isEqualTo(80);
      float[] withDropout = states.toFloatArray();
      adapters.setExampleDropout(null);
      assertThat(maxAbsDiff(withDropout, adapted.hiddenStates(in, ForwardContext.inference()).toFloatArray()))
          .as("the adapters' dropout changed the output").isGreaterThan(1e-4);
    }
  }

  @Test
  void mergedEqualsUnmergedAndUnmergeRestoresTheAdapter() {
    BertEncoder adapted = new BertEncoder(TinyModels.CONFIG, params);
    LoraAdapters adapters = LoraInjector.inject(adapted,
        LoraConfig.defaults().withTargetModules(List.of("query", "value", "intermediate.dense")));
    try (NDManager m = NDManager.newBaseManager()) {
      adapters.bind(m, randomValues(adapters, 9), false);
      EncoderInput in = EncoderInput.of(m, batch());
      float[] unmerged = adapted.embed(in, ForwardContext.inference()).toFloatArray();
      float[] baseOut = new BertEncoder(TinyModels.CONFIG, params).embed(in, ForwardContext.inference())
          .toFloatArray();
      assertThat(maxAbsDiff(unmerged, baseOut)).as("the adapter changes the output").isGreaterThan(1e-3);

      adapters.merge(m);
      float[] merged = adapted.embed(in, ForwardContext.inference()).toFloatArray();
      assertThat(maxAbsDiff(merged, unmerged)).isLessThanOrEqualTo(1e-5);
      adapters.setEnabled(false);
      assertThatThrownBy(() -> adapted.embed(in, ForwardContext.inference()))
          .hasMessageContaining("merged");
      adapters.setEnabled(true);

      adapters.unmerge();
      assertThat(adapted.embed(in, ForwardContext.inference()).toFloatArray()).containsExactly(unmerged);

      // the host-side merge (what export --merge writes) gives the same model as a plain encoder
      Map<String, NDArray> mergedParams = new java.util.LinkedHashMap<>(params);
      for (LoraLinear l : adapters.layers()) {
        mergedParams.put(l.moduleName() + ".weight", m.create(l.mergedWeight(),
            new ai.djl.ndarray.types.Shape(l.outFeatures(), l.inFeatures())));
      }
      float[] plain = new BertEncoder(TinyModels.CONFIG, mergedParams).embed(in, ForwardContext.inference())
          .toFloatArray();
      assertThat(maxAbsDiff(plain, unmerged)).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void injectionMatchesNamesLikePeftAndSaysWhatItWrapped() {
    BertEncoder enc = new BertEncoder(TinyModels.CONFIG, params);
    LoraAdapters qv = LoraInjector.inject(enc, LoraConfig.defaults());
    assertThat(qv.moduleNames()).containsExactly("encoder.layer.0.attention.self.query",
        "encoder.layer.0.attention.self.value", "encoder.layer.1.attention.self.query",
        "encoder.layer.1.attention.self.value");
    assertThat(qv.specs().get(0).name()).isEqualTo("encoder.layer.0.attention.self.query.lora_A.weight");
    assertThat(qv.specs().get(0).shape()).containsExactly(8, 32);
    assertThat(qv.specs().get(1).shape()).containsExactly(32, 8);
    assertThatThrownBy(() -> LoraInjector.inject(enc, LoraConfig.defaults()))
        .hasMessageContaining("already carries an adapter");

    BertEncoder enc2 = new BertEncoder(TinyModels.CONFIG, params);
    LoraAdapters regex = LoraInjector.inject(enc2,
        LoraConfig.defaults().withTargetRegex("encoder\\.layer\\.1\\..*\\.(key|dense)"));
    assertThat(regex.moduleNames()).containsExactly("encoder.layer.1.attention.self.key",
        "encoder.layer.1.attention.output.dense", "encoder.layer.1.intermediate.dense",
        "encoder.layer.1.output.dense");
    // "dense" as a name matches the three dense modules of each layer, not "query"
    LoraAdapters dense = LoraInjector.inject(new BertEncoder(TinyModels.CONFIG, params),
        LoraConfig.defaults().withTargetModules(List.of("dense")));
    assertThat(dense.moduleNames()).hasSize(6).allMatch(n -> n.endsWith(".dense"));

    assertThatThrownBy(() -> LoraInjector.inject(new BertEncoder(TinyModels.CONFIG, params),
        LoraConfig.defaults().withTargetModules(List.of("q_proj", "v_proj"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[q_proj, v_proj]")
        .hasMessageContaining("encoder.layer.0.attention.self.query");
    assertThatThrownBy(() -> LoraInjector.inject(new BertEncoder(TinyModels.CONFIG, params),
        LoraConfig.defaults().withTargetRegex("query")))
        .hasMessageContaining("regex 'query'");
  }

  @Test
  void rsLoraScalesByTheRootOfTheRank() {
    LoraConfig c = LoraConfig.of(16, 32, 0, List.of("query"));
    assertThat(c.scaling()).isEqualTo(2.0);
    assertThat(c.withRsLora(true).scaling()).isEqualTo(8.0);
    assertThatThrownBy(() -> c.withRank(0)).hasMessageContaining("rank");
    assertThatThrownBy(() -> new LoraConfig(8, 16, 0, List.of("query"), null, "all", List.of(), false))
        .hasMessageContaining("bias 'all'");
  }

  @Test
  void exampleDropoutDependsOnTheExampleNotOnItsBatch() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] ones = new float[2 * 5 * 64];
      Arrays.fill(ones, 1f);
      NDArray x = m.create(ones, new ai.djl.ndarray.types.Shape(2, 5, 64));
      // row 1 (seed 22, 3 real tokens) alone in a batch padded to 4 tokens
      float[] pair = new ExampleDropout(new long[] {11, 22}, new int[] {5, 3}).apply(x, 0.25, 7).toFloatArray();
      float[] alone = new ExampleDropout(new long[] {22}, new int[] {3})
          .apply(m.create(Arrays.copyOf(ones, 4 * 64), new ai.djl.ndarray.types.Shape(1, 4, 64)), 0.25, 7)
          .toFloatArray();
      assertThat(Arrays.copyOfRange(pair, 5 * 64, 5 * 64 + 3 * 64)).containsExactly(Arrays.copyOf(alone, 3 * 64));
      // padded positions are zero, kept values are scaled by 1/(1-p), roughly a quarter dropped
      assertThat(Arrays.copyOfRange(pair, 5 * 64 + 3 * 64, 10 * 64)).containsOnly(0f);
      float[] real = Arrays.copyOf(pair, 5 * 64);
      assertThat(real).containsOnly(0f, 1f / 0.75f);
      long dropped = Arrays.stream(box(real)).filter(v -> v == 0).count();
      assertThat(dropped).isBetween(40L, 120L);
      // another site draws another mask
      float[] otherSite = new ExampleDropout(new long[] {11, 22}, new int[] {5, 3}).apply(x, 0.25, 8).toFloatArray();
      assertThat(otherSite).isNotEqualTo(pair);
    }
  }

  private static Float[] box(float[] a) {
    Float[] out = new Float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
