package org.loradist.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.model.Conv1DLinear;
import org.loradist.model.ForwardContext;
import org.loradist.model.GenerationConfig;
import org.loradist.model.Generator;
import org.loradist.model.Gpt2Model;
import org.loradist.model.PretrainedDecoder;
import org.loradist.model.TinyGpt2;
import org.loradist.weights.Gpt2Loader;
import org.loradist.weights.SafetensorsReader;

/** LoRA on GPT-2's Conv1D linears: identity at B = 0, merge = unmerged, PEFT export with fan_in_fan_out. */
class Gpt2LoraTest {
  @TempDir
  static Path dir;
  static Path modelDir;
  static PretrainedDecoder decoder;
  static final LoraConfig ALL = LoraConfig.of(4, 8, 0.0, List.of("c_attn", "c_proj", "c_fc"));
  static final long[] IDS = {5, 17, 300, 42, 99, 7, 8, 9, 120, 33};

  @BeforeAll
  static void load() throws IOException {
    modelDir = TinyGpt2.write(dir.resolve("tiny"), TinyGpt2.CONFIG, 21, TinyGpt2.TEXTS);
    decoder = Gpt2Loader.loadDirectory(modelDir);
  }

  @AfterAll
  static void close() {
    decoder.close();
  }

  static float[] logits(Gpt2Model model, NDManager m) {
    NDArray h = model.hiddenStates(m.create(IDS, new Shape(1, IDS.length)), null, ForwardContext.inference());
    return model.logits(h).toFloatArray();
  }

  /** Adapter values with B non-zero, so the adapters change the output. */
  static float[][] trainedLooking(LoraAdapters adapters) {
    float[][] v = adapters.initialValues(3);
    Random rnd = new Random(4);
    for (int i = 1; i < v.length; i += 2) {
      for (int k = 0; k < v[i].length; k++) {
        v[i][k] = (float) (rnd.nextGaussian() * 0.1);
      }
    }
    return v;
  }

  static double maxDiff(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  @Test
  void injectsIntoConv1DModulesByGpt2Names() {
    Gpt2Model model = decoder.newModel();
    LoraAdapters adapters = LoraInjector.inject(model, LoraConfig.of(8, 16, 0.1, Gpt2Model.DEFAULT_LORA_TARGETS));
    assertThat(adapters.moduleNames()).containsExactly("h.0.attn.c_attn", "h.1.attn.c_attn");
    // Conv1D [in, out] = [32, 96]: A is [r, in], B [out, r] as PEFT stores them whatever the base layout
    assertThat(adapters.specs().get(0).shape()).containsExactly(8, 32);
    assertThat(adapters.specs().get(1).shape()).containsExactly(96, 8);
    assertThat(adapters.layer("h.0.attn.c_attn").base()).isInstanceOf(Conv1DLinear.class);
    // c_proj names both the attention's and the MLP's output projection, as in PEFT
    assertThat(LoraInjector.inject(decoder.newModel(), LoraConfig.of(2, 4, 0, List.of("c_proj"))).moduleNames())
        .containsExactly("h.0.attn.c_proj", "h.0.mlp.c_proj", "h.1.attn.c_proj", "h.1.mlp.c_proj");
  }

  @Test
  void zeroBIsTheBaseModelExactlyAndMergedEqualsUnmerged() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] base = logits(decoder.newModel(), m);
      Gpt2Model model = decoder.newModel();
      LoraAdapters adapters = LoraInjector.inject(model, ALL);
      adapters.bind(m, adapters.initialValues(3), false);
      assertThat(logits(model, m)).containsExactly(base);

      float[][] v = trainedLooking(adapters);
      adapters.bind(m, v, false);
      float[] unmerged = logits(model, m);
      assertThat(maxDiff(unmerged, base)).as("the adapters matter").isGreaterThan(1e-2);
      adapters.merge(m);
      float[] merged = logits(model, m);
      assertThat(maxDiff(merged, unmerged)).isLessThanOrEqualTo(1e-5);
      adapters.unmerge();
      assertThat(logits(model, m)).containsExactly(unmerged);

      // merged into a model directory (W + s (BA)^T in the checkpoint's [in, out] layout) and loaded back
      PeftAdapter adapter = PeftAdapter.ofGpt2(ALL, PeftAdapter.CAUSAL_LM, modelDir.toString(), adapters.specs(), v);
      Path mergedDir = LoraMerge.writeMergedDecoder(decoder, adapter, dir.resolve("merged"));
      try (PretrainedDecoder reloaded = Gpt2Loader.loadDirectory(mergedDir)) {
        assertThat(maxDiff(logits(reloaded.newModel(), m), unmerged)).isLessThanOrEqualTo(1e-5);
      }
    }
  }

  @Test
  void peftExportHasFanInFanOutAndGpt2NamesAndReadsBack() throws IOException {
    Gpt2Model model = decoder.newModel();
    LoraAdapters adapters = LoraInjector.inject(model, ALL);
    float[][] v = trainedLooking(adapters);
    PeftAdapter adapter = PeftAdapter.ofGpt2(ALL, PeftAdapter.CAUSAL_LM, "gpt2", adapters.specs(), v);
    Path out = dir.resolve("adapter");
    PeftFormat.write(out, adapter);

    JsonObject config = JsonParser.parseString(Files.readString(out.resolve(PeftFormat.CONFIG_FILE)))
        .getAsJsonObject();
    assertThat(config.get("fan_in_fan_out").getAsBoolean()).isTrue();
    assertThat(config.get("task_type").getAsString()).isEqualTo("CAUSAL_LM");
    assertThat(config.get("target_modules").toString()).isEqualTo("[\"c_attn\",\"c_proj\",\"c_fc\"]");
    assertThat(SafetensorsReader.read(out.resolve(PeftFormat.WEIGHTS_FILE)).tensors()).containsKeys(
        "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight",
        "base_model.model.transformer.h.1.mlp.c_fc.lora_B.weight");

    PeftAdapter back = PeftFormat.read(out);
    assertThat(back.fanInFanOut()).isTrue();
    assertThat(back.modelPrefix()).isEqualTo("transformer.");
    assertThat(back.adaptedModules()).containsExactlyElementsOf(adapters.moduleNames());
    float[][] values = back.valuesFor(adapters.specs());
    for (int i = 0; i < v.length; i++) {
      assertThat(values[i]).containsExactly(v[i]);
    }

    // the adapted decoder (merged at load) generates what the unmerged adapters generate
    try (NDManager m = NDManager.newBaseManager();
        AdaptedDecoder adapted = AdaptedDecoder.load(modelDir.toString(), back)) {
      adapters.bind(m, v, false);
      GenerationConfig greedy = GenerationConfig.greedy(8, -1);
      long[] prompt = adapted.promptIds("a fast library");
      assertThat(adapted.generateIds("a fast library", greedy).tokens())
          .containsExactly(Generator.generate(model, prompt, greedy, false).tokens());
      assertThat(adapted.generate("a fast library", greedy)).isNotNull();
    }
  }
}
