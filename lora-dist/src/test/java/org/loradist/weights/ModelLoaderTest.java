package org.loradist.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.model.BertEncoder;
import org.loradist.model.EncoderConfig;
import org.loradist.model.Pooling;
import org.loradist.model.PretrainedModel;
import org.loradist.model.TextEmbedder;

class ModelLoaderTest {
  @TempDir
  Path dir;

  @Test
  void randomBertInHuggingFaceLayoutLoadsBackExactly() throws IOException {
    Map<String, HostTensor> weights = TinyBert.randomWeights(TinyBert.CONFIG, 42);
    // what real BertFor* checkpoints carry besides the encoder: a "bert." prefix, the pooler, a buffer
    Map<String, HostTensor> file = new LinkedHashMap<>();
    weights.forEach((k, v) -> file.put("bert." + k, v));
    file.put("bert.pooler.dense.weight", HostTensor.ofFloats(new long[] {32, 32}, new float[32 * 32]));
    file.put("bert.embeddings.position_ids", HostTensor.ofFloats(new long[] {1, 64}, new float[64]));
    Path model = dir.resolve("tiny");
    TinyBert.write(model, TinyBert.CONFIG, file);

    try (PretrainedModel loaded = ModelLoader.loadDirectory(model)) {
      assertThat(loaded.config()).isEqualTo(TinyBert.CONFIG);
      Map<String, NDArray> params = loaded.parameters(org.loradist.model.Precision.FP32);
      assertThat(params.keySet()).containsExactlyElementsOf(BertEncoder.parameterShapes(TinyBert.CONFIG).keySet());
      for (Map.Entry<String, HostTensor> e : weights.entrySet()) {
        assertThat(firstDifference(params.get(e.getKey()).toFloatArray(), e.getValue().toFloats())).as(e.getKey())
            .isEqualTo(-1);
      }
      try (TextEmbedder embedder = new TextEmbedder(loaded.newEncoder(), loaded.newTokenizer(64),
          TextEmbedder.Options.defaults().withMaxTokens(64))) {
        float[][] v = embedder.embed(List.of("a small random model", "", "läuft auch mit Umlauten"));
        for (float[] row : v) {
          assertThat(row).hasSize(32);
          double norm = 0;
          for (float x : row) {
            assertThat(Float.isFinite(x)).isTrue();
            norm += x * x;
          }
          assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
      }
    }
  }

  @Test
  void halfPrecisionCheckpointsWidenToFloat32() throws IOException {
    Map<String, HostTensor> weights = new LinkedHashMap<>();
    TinyBert.randomWeights(TinyBert.CONFIG, 1).forEach((k, v) -> weights.put(k, v.convertTo(TensorType.BF16)));
    Path model = dir.resolve("bf16");
    TinyBert.write(model, TinyBert.CONFIG, weights);
    try (PretrainedModel loaded = ModelLoader.loadDirectory(model)) {
      String name = "encoder.layer.1.output.dense.weight";
      NDArray p = loaded.parameters(org.loradist.model.Precision.FP32).get(name);
      assertThat(p.getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
      assertThat(firstDifference(p.toFloatArray(), weights.get(name).toFloats())).isEqualTo(-1);
    }
  }

  @Test
  void sentenceTransformersPoolingConfigIsHonoured() throws IOException {
    Path model = dir.resolve("cls");
    TinyBert.write(model, TinyBert.CONFIG, TinyBert.randomWeights(TinyBert.CONFIG, 3));
    Files.createDirectories(model.resolve("1_Pooling"));
    Files.writeString(model.resolve("1_Pooling/config.json"),
        "{\"word_embedding_dimension\": 32, \"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": false}");
    try (PretrainedModel loaded = ModelLoader.loadDirectory(model)) {
      assertThat(loaded.config().pooling()).isEqualTo(Pooling.CLS);
    }
    Files.writeString(model.resolve("1_Pooling/config.json"), "{\"pooling_mode_max_tokens\": true}");
    assertThatThrownBy(() -> ModelLoader.loadDirectory(model)).isInstanceOf(IOException.class)
        .hasMessageContaining("1_Pooling").hasMessageContaining("pooling_mode_max_tokens");
  }

  @Test
  void missingFilesAreNamed() throws IOException {
    Path model = dir.resolve("m");
    TinyBert.write(model, TinyBert.CONFIG, TinyBert.randomWeights(TinyBert.CONFIG, 5));
    for (String name : List.of("tokenizer.json", "model.safetensors", "config.json")) {
      Files.delete(model.resolve(name));
      assertThatThrownBy(() -> ModelLoader.loadDirectory(model)).isInstanceOf(IOException.class)
          .hasMessageContaining(model.resolve(name).toString());
    }
    assertThatThrownBy(() -> ModelLoader.load(dir.resolve("nowhere").toString())).isInstanceOf(IOException.class)
        .hasMessageContaining("nowhere");
  }

  @Test
  void truncatedSafetensorsIsNamed() throws IOException {
    Path model = dir.resolve("m");
    TinyBert.write(model, TinyBert.CONFIG, TinyBert.randomWeights(TinyBert.CONFIG, 5));
    Path weights = model.resolve("model.safetensors");
    byte[] all = Files.readAllBytes(weights);
    Files.write(weights, Arrays.copyOf(all, all.length / 2));
    assertThatThrownBy(() -> ModelLoader.loadDirectory(model)).isInstanceOf(IOException.class)
        .hasMessageContaining(weights.toString()).hasMessageContaining("truncated");
  }

  @Test
  void unsupportedConfigsAreRefusedNamingFileAndKey() throws IOException {
    Path model = dir.resolve("m");
    TinyBert.write(model, TinyBert.CONFIG, TinyBert.randomWeights(TinyBert.CONFIG, 5));
    Path config = model.resolve("config.json");
    String json = TinyBert.CONFIG.toJson();

    Files.writeString(config, json.replace("\"model_type\": \"bert\"", "\"model_type\": \"roberta\""));
    assertThatThrownBy(() -> ModelLoader.loadDirectory(model)).hasMessageContaining(config.toString())
        .hasMessageContaining("model_type").hasMessageContaining("roberta");

    Files.writeString(config, json.replace("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"relu\""));
    assertThatThrownBy(() -> ModelLoader.loadDirectory(model)).hasMessageContaining(config.toString())
        .hasMessageContaining("hidden_act").hasMessageContaining("relu");

    Files.writeString(config, json.replace("\"num_attention_heads\": 4,", ""));
    assertThatThrownBy(() -> ModelLoader.loadDirectory(model)).hasMessageContaining(config.toString())
        .hasMessageContaining("num_attention_heads");

    Files.writeString(config, json.replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 5"));
    assertThatThrownBy(() -> ModelLoader.loadDirectory(model)).hasMessageContaining(config.toString())
        .hasMessageContaining("num_attention_heads");

    Files.writeString(config, "[1, 2]");
    assertThatThrownBy(() -> ModelLoader.loadDirectory(model)).hasMessageContaining(config.toString());
  }

  @Test
  void tokenizerThatDoesNotFitTheVocabularyIsRefused() throws IOException {
    EncoderConfig small = new EncoderConfig("bert", 1000, 32, 2, 4, 64, 64, 2, 1e-12f, "gelu", 0.1f, 0.1f,
        Pooling.MEAN);
    Path model = dir.resolve("m");
    TinyBert.write(model, small, TinyBert.randomWeights(small, 5));
    assertThatThrownBy(() -> ModelLoader.loadDirectory(model)).isInstanceOf(IOException.class)
        .hasMessageContaining(model.resolve("tokenizer.json").toString())
        .hasMessageContaining("30521").hasMessageContaining("1000 rows");
  }

  @Test
  void missingExtraAndMisshapedTensorsAreNamed() throws IOException {
    Map<String, HostTensor> weights = TinyBert.randomWeights(TinyBert.CONFIG, 5);
    weights.remove("encoder.layer.1.attention.self.key.bias");
    weights.put("encoder.layer.0.output.dense.weight", HostTensor.ofFloats(new long[] {64, 32}, new float[64 * 32]));
    weights.put("encoder.layer.9.output.dense.weight", HostTensor.ofFloats(new long[] {2}, new float[2]));
    Path model = dir.resolve("m");
    TinyBert.write(model, TinyBert.CONFIG, weights);
    assertThatThrownBy(() -> ModelLoader.loadDirectory(model)).isInstanceOf(IOException.class)
        .hasMessageContaining(model.resolve("model.safetensors").toString())
        .hasMessageContaining("missing tensor 'encoder.layer.1.attention.self.key.bias'")
        .hasMessageContaining("'encoder.layer.0.output.dense.weight' has shape [64, 32], the config needs [32, 64]")
        .hasMessageContaining("unexpected tensor 'encoder.layer.9.output.dense.weight'");
  }

  @Test
  void defaultModelIsCachedOncePerJvm() throws IOException {
    PretrainedModel a = ModelCache.get("default");
    PretrainedModel b = ModelCache.get(null);
    assertThat(a).isSameAs(b);
    assertThat(a.config()).isEqualTo(EncoderConfig.allMiniLmL6V2());
    assertThat(ModelCache.isCached(ModelLoader.DEFAULT_MODEL)).isTrue();
  }

  @Test
  void cacheLoadsAModelOnceUnderConcurrentFirstRequests() throws Exception {
    Path model = dir.resolve("shared");
    TinyBert.write(model, TinyBert.CONFIG, TinyBert.randomWeights(TinyBert.CONFIG, 9));
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<PretrainedModel>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        // different spellings of one path share one entry
        String path = i % 2 == 0 ? model.toString() : model.resolve("x").resolve("..").toString();
        futures.add(pool.submit(() -> ModelCache.get(path)));
      }
      PretrainedModel first = futures.get(0).get();
      for (var f : futures) {
        assertThat(f.get()).isSameAs(first);
      }
    } finally {
      pool.shutdown();
    }
    Path broken = dir.resolve("broken");
    assertThatThrownBy(() -> ModelCache.get(broken.toString())).isInstanceOf(IOException.class);
    assertThat(ModelCache.isCached(broken.toString())).isFalse(); // a failure is not remembered
  }

  /** -1 when equal, else the first index that differs (AssertJ's array diff is quadratic on a million floats). */
  static int firstDifference(float[] actual, float[] expected) {
    if (actual.length != expected.length) {
      return Math.min(actual.length, expected.length);
    }
    for (int i = 0; i < actual.length; i++) {
      if (Float.floatToIntBits(actual[i]) != Float.floatToIntBits(expected[i])) {
        return i;
      }
    }
    return -1;
  }
}
