package org.loradist.lora;

import ai.djl.ndarray.NDArray;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loradist.model.DefaultModel;
import org.loradist.model.Pooling;
import org.loradist.model.Precision;
import org.loradist.model.PretrainedDecoder;
import org.loradist.model.PretrainedModel;
import org.loradist.weights.HostTensor;
import org.loradist.weights.SafetensorsWriter;

/**
 * Folds an adapter into its base model: every adapted weight becomes {@code W + s · B A} (computed in double, stored
 * float32), everything else is copied. The result is a plain Hugging Face model directory that {@code ModelLoader}
 * and sentence-transformers load without PEFT: {@code config.json}, {@code model.safetensors}, {@code tokenizer.json}
 * and {@code 1_Pooling/config.json}. A trained head (modules_to_save) is not part of a {@code BertModel}; it goes to
 * {@code classifier.safetensors} beside it, under its own names.
 */
public final class LoraMerge {
  public static final String HEAD_FILE = "classifier.safetensors";

  private LoraMerge() {
  }

  /** The base's float32 parameters with the adapter folded in, by Hugging Face name in checkpoint order. */
  public static Map<String, HostTensor> mergedParameters(PretrainedModel base, PeftAdapter adapter) {
    return merged(base.parameters(Precision.FP32), base.id(), adapter, false);
  }

  /**
   * A GPT-2's float32 parameters with the adapter folded in. Its adapted weights are Conv1D, stored [in, out], so
   * each becomes {@code W + s (B A)^T} (PEFT's fan_in_fan_out).
   */
  public static Map<String, HostTensor> mergedParameters(PretrainedDecoder base, PeftAdapter adapter) {
    return merged(base.parameters(), base.id(), adapter, true);
  }

  /**
   * {@code params} copied with the adapter folded into each adapted weight; {@code inOut}: the weights are stored
   * [in, out] (Conv1D) and merged as their [out, in] transpose.
   */
  private static Map<String, HostTensor> merged(Map<String, NDArray> params, String baseId, PeftAdapter adapter,
      boolean inOut) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      out.put(e.getKey(), HostTensor.of(e.getValue()));
    }
    double scaling = adapter.config().scaling();
    for (String module : adapter.adaptedModules()) {
      String weightName = module + ".weight";
      HostTensor w = out.get(weightName);
      if (w == null) {
        throw new IllegalArgumentException("adapter module '" + module + "' has no weight '" + weightName
            + "' in base model " + baseId);
      }
      HostTensor a = adapter.loraTensors().get(LoraAdapters.loraAName(module));
      HostTensor b = adapter.loraTensors().get(LoraAdapters.loraBName(module));
      HostTensor outIn = inOut ? w.transposed2d() : w;
      HostTensor merged = HostTensor.ofFloats(outIn.shape(), merge(outIn, a, b, scaling, module));
      out.put(weightName, inOut ? merged.transposed2d() : merged);
    }
    return out;
  }

  /**
   * Writes a merged GPT-2 directory ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}) that
   * {@code Gpt2Loader} and transformers' GPT2LMHeadModel load without PEFT; a trained {@code score} head goes to
   * {@code score.safetensors} beside it. Returns {@code dir}.
   */
  public static Path writeMergedDecoder(PretrainedDecoder base, PeftAdapter adapter, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), base.config().toJson());
    SafetensorsWriter.write(dir.resolve("model.safetensors"), mergedParameters(base, adapter),
        Map.of("format", "pt", "merged_from", adapter.baseModel()));
    Files.copy(base.tokenizerSource().file(), dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
    if (!adapter.savedModules().isEmpty()) {
      SafetensorsWriter.write(dir.resolve("score.safetensors"), adapter.savedModules(), Map.of("format", "pt"));
    }
    return dir;
  }

  static float[] merge(HostTensor w, HostTensor a, HostTensor b, double scaling, String module) {
    long[] ws = w.shape();
    long[] as = a.shape();
    long[] bs = b.shape();
    int out = (int) ws[0];
    int in = (int) ws[1];
    int r = (int) as[0];
    if (as[1] != in || bs[0] != out || bs[1] != r) {
      throw new IllegalArgumentException(module + ": weight " + Arrays.toString(ws) + ", lora_A "
          + Arrays.toString(as) + " and lora_B " + Arrays.toString(bs) + " do not fit together");
    }
    float[] wv = w.toFloats();
    float[] av = a.toFloats();
    float[] bv = b.toFloats();
    float[] merged = new float[wv.length];
    double[] row = new double[in];
    for (int o = 0; o < out; o++) {
      Arrays.fill(row, 0);
      for (int k = 0; k < r; k++) {
        double bok = bv[o * r + k];
        for (int i = 0; i < in; i++) {
          row[i] += bok * av[k * in + i];
        }
      }
      for (int i = 0; i < in; i++) {
        merged[o * in + i] = (float) (wv[o * in + i] + scaling * row[i]);
      }
    }
    return merged;
  }

  /** Writes the merged model directory (see the class comment); returns {@code dir}. */
  public static Path writeMergedModel(PretrainedModel base, PeftAdapter adapter, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), base.config().toJson());
    SafetensorsWriter.write(dir.resolve("model.safetensors"), mergedParameters(base, adapter),
        Map.of("format", "pt", "merged_from", adapter.baseModel()));
    Path tokenizer = dir.resolve("tokenizer.json");
    Path source = base.tokenizerSource().file();
    if (source == null) {
      try (InputStream in = DefaultModel.open(DefaultModel.TOKENIZER_RESOURCE)) {
        Files.copy(in, tokenizer, StandardCopyOption.REPLACE_EXISTING);
      }
    } else {
      Files.copy(source, tokenizer, StandardCopyOption.REPLACE_EXISTING);
    }
    JsonObject pooling = new JsonObject();
    pooling.addProperty("word_embedding_dimension", base.config().hiddenSize());
    pooling.addProperty("pooling_mode_cls_token", base.config().pooling() == Pooling.CLS);
    pooling.addProperty("pooling_mode_mean_tokens", base.config().pooling() == Pooling.MEAN);
    pooling.addProperty("pooling_mode_max_tokens", false);
    pooling.addProperty("pooling_mode_mean_sqrt_len_tokens", false);
    Files.createDirectories(dir.resolve("1_Pooling"));
    Files.writeString(dir.resolve("1_Pooling").resolve("config.json"),
        new GsonBuilder().setPrettyPrinting().create().toJson(pooling) + "\n");
    if (!adapter.savedModules().isEmpty()) {
      SafetensorsWriter.write(dir.resolve(HEAD_FILE), adapter.savedModules(), Map.of("format", "pt"));
    }
    return dir;
  }
}
