package org.loradist.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.model.PretrainedModel;
import org.loradist.train.TensorSpec;
import org.loradist.weights.HostTensor;
import org.loradist.weights.ModelLoader;
import org.loradist.weights.Safetensors;
import org.loradist.weights.SafetensorsReader;
import org.loradist.weights.SafetensorsWriter;

/** PEFT layout: names, shapes and config keys as PEFT saves them; reading back; merging into a full model. */
class PeftFormatTest {
  @TempDir
  static Path dir;
  static String modelPath;

  @BeforeAll
  static void tinyModel() throws IOException {
    modelPath = TinyModels.write(dir.resolve("tiny"), TinyModels.CONFIG, 8).toString();
  }

  static List<TensorSpec> specs(List<String> modules, int r, int classes) {
    List<TensorSpec> s = new ArrayList<>();
    for (String m : modules) {
      s.add(new TensorSpec(m + ".lora_A.weight", new int[] {r, 32}));
      s.add(new TensorSpec(m + ".lora_B.weight", new int[] {32, r}));
    }
    if (classes > 0) {
      s.add(new TensorSpec("classifier.weight", new int[] {classes, 32}));
      s.add(new TensorSpec("classifier.bias", new int[] {classes}));
    }
    return s;
  }

  static float[][] random(List<TensorSpec> specs, long seed) {
    Random rnd = new Random(seed);
    float[][] v = new float[specs.size()][];
    for (int t = 0; t < v.length; t++) {
      v[t] = new float[specs.get(t).size()];
      for (int i = 0; i < v[t].length; i++) {
        v[t][i] = (float) (rnd.nextGaussian() * 0.3);
      }
    }
    return v;
  }

  static final List<String> QV = List.of("encoder.layer.0.attention.self.query", "encoder.layer.0.attention.self.value",
      "encoder.layer.1.attention.self.query", "encoder.layer.1.attention.self.value");

  @Test
  void classifierAdapterIsWrittenAsPeftSavesItAndReadsBack() throws IOException {
    LoraConfig config = LoraConfig.of(4, 8, 0.1, List.of("query", "value")).withModulesToSave(List.of("classifier"));
    List<TensorSpec> specs = specs(QV, 4, 3);
    float[][] values = random(specs, 1);
    PeftAdapter adapter = PeftAdapter.of(config, PeftAdapter.SEQ_CLS, "sentence-transformers/all-MiniLM-L6-v2",
        specs, values);
    Path out = dir.resolve("cls-adapter");
    PeftFormat.write(out, adapter);

    JsonObject json = JsonParser.parseString(Files.readString(out.resolve("adapter_config.json"))).getAsJsonObject();
    assertThat(json.get("peft_type").getAsString()).isEqualTo("LORA");
    assertThat(json.get("task_type").getAsString()).isEqualTo("SEQ_CLS");
    assertThat(json.get("r").getAsInt()).isEqualTo(4);
    assertThat(json.get("lora_alpha").getAsDouble()).isEqualTo(8.0);
    assertThat(json.get("lora_dropout").getAsDouble()).isEqualTo(0.1);
    assertThat(json.get("target_modules").toString()).isEqualTo("[\"query\",\"value\"]");
    assertThat(json.get("modules_to_save").toString()).isEqualTo("[\"classifier\"]");
    assertThat(json.get("bias").getAsString()).isEqualTo("none");
    assertThat(json.get("use_rslora").getAsBoolean()).isFalse();
    assertThat(json.get("base_model_name_or_path").getAsString()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");

    Safetensors file = SafetensorsReader.read(out.resolve("adapter_model.safetensors"));
    // BertForSequenceClassification keeps its encoder under "bert." and its head at the top as "classifier"
    assertThat(file.tensors().keySet()).containsExactly(
        "base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight",
        "base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight",
        "base_model.model.bert.encoder.layer.0.attention.self.value.lora_A.weight",
        "base_model.model.bert.encoder.layer.0.attention.self.value.lora_B.weight",
        "base_model.model.bert.encoder.layer.1.attention.self.query.lora_A.weight",
        "base_model.model.bert.encoder.layer.1.attention.self.query.lora_B.weight",
        "base_model.model.bert.encoder.layer.1.attention.self.value.lora_A.weight",
        "base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight",
        "base_model.model.classifier.weight", "base_model.model.classifier.bias");
    assertThat(file.tensors().get("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight")
        .shape()).containsExactly(4, 32);
    assertThat(file.tensors().get("base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight")
        .shape()).containsExactly(32, 4);
    assertThat(file.metadata()).containsEntry("format", "pt");

    PeftAdapter back = PeftFormat.read(out);
    assertThat(back.config()).isEqualTo(config);
    assertThat(back.taskType()).isEqualTo("SEQ_CLS");
    assertThat(back.modelPrefix()).isEqualTo("bert.");
    float[][] again = back.valuesFor(specs);
    for (int t = 0; t < values.length; t++) {
      assertThat(again[t]).as(specs.get(t).name()).containsExactly(values[t]);
    }
    assertThatThrownBy(() -> back.valuesFor(specs.subList(0, 8))).hasMessageContaining("classifier.weight");
  }

  @Test
  void embeddingAdapterWithARegexAndRsLoraRoundTrips() throws IOException {
    LoraConfig config = new LoraConfig(2, 4, 0, List.of(), "encoder\\.layer\\.1\\.attention\\.self\\.(query|value)",
        "none", List.of(), true);
    List<TensorSpec> specs = specs(QV.subList(2, 4), 2, 0);
    PeftAdapter adapter = PeftAdapter.of(config, PeftAdapter.FEATURE_EXTRACTION, "default", specs, random(specs, 2));
    Path out = dir.resolve("emb-adapter");
    PeftFormat.write(out, adapter);
    JsonObject json = JsonParser.parseString(Files.readString(out.resolve("adapter_config.json"))).getAsJsonObject();
    assertThat(json.get("target_modules").getAsString()).isEqualTo(config.targetRegex());
    assertThat(json.get("use_rslora").getAsBoolean()).isTrue();
    assertThat(json.get("modules_to_save").isJsonNull()).isTrue();
    assertThat(SafetensorsReader.read(out.resolve("adapter_model.safetensors")).tensors().keySet())
        .first().isEqualTo("base_model.model.encoder.layer.1.attention.self.query.lora_A.weight");
    assertThat(PeftFormat.read(out).config()).isEqualTo(config);

    // a classifier with a regex: PEFT matches it against "bert."-prefixed names, so the prefix is written and read
    LoraConfig clsRegex = config.withModulesToSave(List.of("classifier"));
    List<TensorSpec> clsSpecs = specs(QV.subList(2, 4), 2, 2);
    Path cls = dir.resolve("cls-regex");
    PeftFormat.write(cls, PeftAdapter.of(clsRegex, PeftAdapter.SEQ_CLS, "default", clsSpecs, random(clsSpecs, 3)));
    String written = JsonParser.parseString(Files.readString(cls.resolve("adapter_config.json"))).getAsJsonObject()
        .get("target_modules").getAsString();
    assertThat(written).isEqualTo("bert\\.(?:" + config.targetRegex() + ")");
    assertThat("bert.encoder.layer.1.attention.self.value").matches(written);
    assertThat(PeftFormat.read(cls).config()).isEqualTo(clsRegex);
  }

  @Test
  void readsPeftInMemoryNamesAndRefusesWhatItCannotApply() throws IOException {
    Path out = dir.resolve("in-memory-names");
    Files.createDirectories(out);
    Files.writeString(out.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\", \"task_type\": \"SEQ_CLS\", "
        + "\"r\": 2, \"lora_alpha\": 16, \"target_modules\": [\"query\"], \"modules_to_save\": [\"classifier\"], "
        + "\"bias\": \"none\"}");
    Map<String, HostTensor> t = new LinkedHashMap<>();
    t.put("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.default.weight",
        HostTensor.ofFloats(new long[] {2, 32}, new float[64]));
    t.put("base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.default.weight",
        HostTensor.ofFloats(new long[] {32, 2}, new float[64]));
    t.put("base_model.model.classifier.modules_to_save.default.weight",
        HostTensor.ofFloats(new long[] {2, 32}, new float[64]));
    SafetensorsWriter.write(out.resolve("adapter_model.safetensors"), t, Map.of());
    PeftAdapter a = PeftFormat.read(out);
    assertThat(a.loraTensors().keySet()).containsExactly("encoder.layer.0.attention.self.query.lora_A.weight",
        "encoder.layer.0.attention.self.query.lora_B.weight");
    assertThat(a.savedModules().keySet()).containsExactly("classifier.weight");
    assertThat(a.config().scaling()).isEqualTo(8.0);

    t.put("base_model.model.bert.pooler.dense.weight", HostTensor.ofFloats(new long[] {2, 2}, new float[4]));
    SafetensorsWriter.write(out.resolve("adapter_model.safetensors"), t, Map.of());
    assertThatThrownBy(() -> PeftFormat.read(out)).isInstanceOf(IOException.class)
        .hasMessageContaining("bert.pooler.dense.weight").hasMessageContaining("adapter_model.safetensors");
    t.remove("base_model.model.bert.pooler.dense.weight");
    t.remove("base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.default.weight");
    SafetensorsWriter.write(out.resolve("adapter_model.safetensors"), t, Map.of());
    assertThatThrownBy(() -> PeftFormat.read(out)).hasMessageContaining("no matching")
        .hasMessageContaining("lora_B");

    Files.writeString(out.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\", \"r\": 2, "
        + "\"target_modules\": [\"query\"], \"use_dora\": true}");
    assertThatThrownBy(() -> PeftFormat.read(out)).hasMessageContaining("adapter_config.json")
        .hasMessageContaining("use_dora");
    Files.writeString(out.resolve("adapter_config.json"), "{\"peft_type\": \"IA3\"}");
    assertThatThrownBy(() -> PeftFormat.read(out)).hasMessageContaining("peft_type is IA3");
    assertThatThrownBy(() -> PeftFormat.read(dir.resolve("nowhere"))).hasMessageContaining("adapter_config.json");
  }

  @Test
  void mergedModelLoadsAsAPlainModelAndEmbedsAsTheAdapterDoes() throws IOException {
    LoraConfig config = LoraConfig.of(4, 8, 0, List.of("query", "value", "output.dense"));
    PretrainedModel base = ModelLoader.loadDirectory(Path.of(modelPath));
    try {
      List<String> modules = new ArrayList<>();
      for (int l = 0; l < 2; l++) {
        modules.add("encoder.layer." + l + ".attention.self.query");
        modules.add("encoder.layer." + l + ".attention.self.value");
        modules.add("encoder.layer." + l + ".attention.output.dense");
        modules.add("encoder.layer." + l + ".output.dense"); // "output.dense" matches both, as in PEFT
      }
      List<TensorSpec> specs = new ArrayList<>();
      for (String m : modules) {
        int in = m.endsWith("output.dense") && !m.contains("attention") ? 64 : 32;

        specs.add(new TensorSpec(m + ".lora_A.weight", new int[] {4, in}));
        specs.add(new TensorSpec(m + ".lora_B.weight", new int[] {32, 4}));
      }
      PeftAdapter adapter = PeftAdapter.of(config, PeftAdapter.FEATURE_EXTRACTION, modelPath, specs,
          random(specs, 5));
      Path merged = LoraMerge.writeMergedModel(base, adapter, dir.resolve("merged"));
      List<String> texts = List.of("a library for json", "a puzzle game", "the kernel of an operating system");
      float[][] viaAdapter;
      float[][] viaBase;
      try (AdaptedModel adapted = AdaptedModel.load(modelPath, adapter, 32);
          AdaptedModel plain = AdaptedModel.load(modelPath, null, 32)) {
        viaAdapter = adapted.embed(texts);
        viaBase = plain.embed(texts);
      }
      try (AdaptedModel reloaded = AdaptedModel.load(merged.toString(), null, 32)) {
        float[][] viaMerged = reloaded.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
          assertThat(LoraLinearTest.maxAbsDiff(viaMerged[i], viaAdapter[i])).isLessThanOrEqualTo(1e-5);
        }
      }
      assertThat(LoraLinearTest.maxAbsDiff(viaBase[0], viaAdapter[0])).isGreaterThan(1e-3);
      assertThat(merged.resolve("1_Pooling/config.json")).exists();
      assertThat(merged.resolve(LoraMerge.HEAD_FILE)).doesNotExist();
    } finally {
      base.close();
    }
  }
}
