package org.loradist.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loradist.text.TokenizedText;

/** The architecture's contract for the trainer, on a small random BERT. */
class BertEncoderTest {
  static final EncoderConfig CONFIG =
      new EncoderConfig("bert", 50, 16, 2, 4, 32, 32, 2, 1e-12f, "gelu", 0.1f, 0.1f, Pooling.MEAN);
  private static NDManager weights;
  private static Map<String, NDArray> params;

  @BeforeAll
  static void randomWeights() {
    weights = NDManager.newBaseManager();
    params = new LinkedHashMap<>();
    Random rnd = new Random(11);
    for (Map.Entry<String, long[]> e : BertEncoder.parameterShapes(CONFIG).entrySet()) {
      int n = (int) new Shape(e.getValue()).size();
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) ((e.getKey().endsWith("LayerNorm.weight") ? 1 : 0) + 0.2 * rnd.nextGaussian());
      }
      params.put(e.getKey(), weights.create(v, new Shape(e.getValue())));
    }
  }

  @AfterAll
  static void free() {
    weights.close();
  }

  private static TokenizedText text(long... ids) {
    int n = ids.length;
    long[] ones = new long[n];
    java.util.Arrays.fill(ones, 1);
    return new TokenizedText(ids, new long[n], ones, new int[n], new int[n], new boolean[n], false);
  }

  @Test
  void paddingDoesNotChangeAnEmbedding() {
    BertEncoder enc = new BertEncoder(CONFIG, params);
    try (NDManager m = NDManager.newBaseManager()) {
      float[] alone = enc.embed(EncoderInput.of(m, List.of(text(1, 5, 7, 2))), ForwardContext.inference())
          .toFloatArray();
      float[] padded = enc.embed(EncoderInput.of(m, List.of(text(1, 5, 7, 2), text(1, 9, 9, 9, 9, 9, 9, 9, 2))),
          ForwardContext.inference()).get(0).toFloatArray();
      for (int d = 0; d < alone.length; d++) {
        assertThat(padded[d]).isCloseTo(alone[d], org.assertj.core.data.Offset.offset(1e-6f));
      }
    }
  }

  @Test
  void hiddenStatesAndPoolingCompose() {
    BertEncoder enc = new BertEncoder(CONFIG, params);
    BertEncoder cls = new BertEncoder(CONFIG.withPooling(Pooling.CLS), params);
    try (NDManager m = NDManager.newBaseManager()) {
      EncoderInput in = EncoderInput.of(m, List.of(text(1, 4, 2), text(1, 6, 6, 6, 2)));
      NDArray hidden = enc.hiddenStates(in, ForwardContext.inference());
      assertThat(hidden.getShape()).isEqualTo(new Shape(2, 5, 16));
      assertThat(hidden.getDataType()).isEqualTo(DataType.FLOAT32);
      // mean over the 3 real tokens of row 0, by hand
      float[] h = hidden.toFloatArray();
      float[] pooled = enc.pool(hidden, in.attentionMask()).toFloatArray();
      for (int d = 0; d < 16; d++) {
        float mean = (h[d] + h[16 + d] + h[32 + d]) / 3;
        assertThat(pooled[d]).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-5f));
      }
      float[] clsPooled = cls.pool(hidden, in.attentionMask()).toFloatArray();
      for (int d = 0; d < 16; d++) {
        assertThat(clsPooled[16 + d]).isEqualTo(h[5 * 16 + d]);
      }
    }
  }

  @Test
  void aBatchRunInSlicesGivesEachRowItsOwnResult() {
    BertEncoder enc = new BertEncoder(CONFIG, params);
    Random rnd = new Random(5);
    List<TokenizedText> texts = new java.util.ArrayList<>();
    for (int i = 0; i < 150; i++) { // 150 x 32 padded tokens: above the slice budget, so several slices
      long[] ids = new long[3 + rnd.nextInt(30)];
      ids[0] = 1;
      ids[ids.length - 1] = 2;
      for (int t = 1; t < ids.length - 1; t++) {
        ids[t] = 3 + rnd.nextInt(47);
      }
      texts.add(text(ids));
    }
    try (NDManager m = NDManager.newBaseManager()) {
      EncoderInput batch = EncoderInput.of(m, texts);
      assertThat(enc.slices(batch)).hasSizeGreaterThan(1);
      float[] embedded = enc.embed(batch, ForwardContext.inference()).toFloatArray();
      NDArray hidden = enc.hiddenStates(batch, ForwardContext.inference());
      assertThat(hidden.getShape()).isEqualTo(new Shape(150, 32, 16));
      float[] pooled = BertEncoder.normalize(enc.pool(hidden, batch.attentionMask())).toFloatArray();
      for (int i = 0; i < texts.size(); i++) {
        EncoderInput alone = EncoderInput.of(m, List.of(texts.get(i)));
        float[] own = enc.embed(alone, ForwardContext.inference()).toFloatArray();
        for (int d = 0; d < 16; d++) {
          assertThat(embedded[i * 16 + d]).as("row %d dim %d", i, d)
              .isCloseTo(own[d], org.assertj.core.data.Offset.offset(1e-6f));
          assertThat(pooled[i * 16 + d]).as("row %d dim %d", i, d)
              .isCloseTo(own[d], org.assertj.core.data.Offset.offset(1e-6f));
        }
      }
    }
  }

  @Test
  void dropoutIsOffAtInferenceAndSeededInTraining() {
    BertEncoder enc = new BertEncoder(CONFIG, params);
    try (NDManager m = NDManager.newBaseManager()) {
      EncoderInput in = EncoderInput.of(m, List.of(text(1, 4, 8, 2), text(1, 6, 2)));
      float[] inf1 = enc.embed(in, ForwardContext.inference()).toFloatArray();
      float[] inf2 = enc.embed(in, ForwardContext.inference()).toFloatArray();
      float[] a = enc.embed(in, ForwardContext.training(7)).toFloatArray();
      float[] b = enc.embed(in, ForwardContext.training(7)).toFloatArray();
      float[] c = enc.embed(in, ForwardContext.training(8)).toFloatArray();
      assertThat(inf2).containsExactly(inf1);
      assertThat(b).containsExactly(a);
      assertThat(a).isNotEqualTo(inf1);
      assertThat(c).isNotEqualTo(a);
    }
  }

  @Test
  void gradientsReachOnlyTheTensorsThatAskForThem() {
    BertEncoder enc = new BertEncoder(CONFIG, params);
    String name = "encoder.layer.1.attention.self.value";
    Linear base = enc.linear(name);
    try (NDManager m = NDManager.newBaseManager()) {
      // a trainable additive delta on one linear's output, the way an adapter would sit there
      NDArray delta = m.zeros(new Shape(16));
      delta.setRequiresGradient(true);
      enc.replaceLinear(name, new Linear() {
        @Override
        public NDArray forward(NDArray input, ForwardContext ctx) {
          return base.forward(input, ctx).add(delta);
        }

        @Override
        public long inFeatures() {
          return base.inFeatures();
        }

        @Override
        public long outFeatures() {
          return base.outFeatures();
        }
      });
      EncoderInput in = EncoderInput.of(m, List.of(text(1, 4, 8, 2), text(1, 6, 2)));
      float[] before = new BertEncoder(CONFIG, params).embed(in, ForwardContext.inference()).toFloatArray();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = enc.embed(in, ForwardContext.training(1));
        NDArray loss = out.get(":, 0").sum();
        gc.backward(loss);
      }
      float[] grad = delta.getGradient().toFloatArray();
      double norm = 0;
      for (float g : grad) {
        norm += g * g;
      }
      assertThat(norm).isGreaterThan(0);
      for (NDArray p : params.values()) {
        assertThat(p.hasGradient()).as(p.getName()).isFalse();
      }
      // a zero delta changes nothing at inference
      assertThat(enc.embed(in, ForwardContext.inference()).toFloatArray()).containsExactly(before);
    }
  }

  @Test
  void replacementMustKeepTheShapeAndNamesMustExist() {
    BertEncoder enc = new BertEncoder(CONFIG, params);
    assertThat(enc.linearNames()).hasSize(12).startsWith("encoder.layer.0.attention.self.query");
    assertThatThrownBy(() -> enc.linear("encoder.layer.0.attention.self.qkv")).hasMessageContaining("qkv");
    Linear wide = enc.linear("encoder.layer.0.intermediate.dense");
    assertThatThrownBy(() -> enc.replaceLinear("encoder.layer.0.attention.self.query", wide))
        .hasMessageContaining("16 -> 32");
  }

  @Test
  void parametersThatDoNotFitTheConfigAreNamed() {
    Map<String, NDArray> broken = new LinkedHashMap<>(params);
    broken.remove("encoder.layer.0.output.LayerNorm.bias");
    assertThatThrownBy(() -> new BertEncoder(CONFIG, broken))
        .hasMessageContaining("missing encoder.layer.0.output.LayerNorm.bias");
  }

  @Test
  void frozenWeightsStayPutWhileBatchesComeAndGo() throws Exception {
    PretrainedModel model = org.loradist.weights.ModelCache.get("default");
    BertEncoder enc = model.newEncoder();
    NDManager owner = enc.parameters().get("embeddings.word_embeddings.weight").getManager();
    int arrays = owner.getManagedArrays().size();
    try (TextEmbedder embedder = new TextEmbedder(enc, model.newTokenizer(64),
        TextEmbedder.Options.defaults().withMaxTokens(64))) {
      for (int i = 0; i < 3; i++) {
        embedder.embed(List.of("one text", "and another, a little longer than the first one"));
      }
    }
    assertThat(owner.getManagedArrays()).hasSize(arrays);
    // the owner is capped: nothing per batch can attach to it by accident
    assertThatThrownBy(() -> enc.parameters().get("embeddings.LayerNorm.bias").add(1f))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void reducedPrecisionIsRefusedClearlyInsteadOfAbortingTheJvm() throws Exception {
    PretrainedModel model = org.loradist.weights.ModelCache.get("default");
    assertThatThrownBy(() -> model.newEncoder(Precision.BF16)).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("bfloat16");
    assertThatThrownBy(() -> TextEmbedder.forModel("default", TextEmbedder.Options.defaults()
        .withPrecision(Precision.BF16))).isInstanceOf(UnsupportedOperationException.class);
    assertThat(Precision.FP32.unavailableReason()).isNull();
  }
}
