package org.loradist.lora;

import static org.loradist.model.ConfigJson.number;
import static org.loradist.model.ConfigJson.string;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loradist.model.ConfigJson;
import org.loradist.weights.HostTensor;
import org.loradist.weights.Safetensors;
import org.loradist.weights.SafetensorsReader;
import org.loradist.weights.SafetensorsWriter;

/**
 * Reads and writes an adapter directory in Hugging Face PEFT's layout, so {@code PeftModel.from_pretrained(base,
 * dir)} loads what we train and we load what PEFT saves:
 *
 * <pre>
 * adapter_config.json        peft_type LORA, r, lora_alpha, lora_dropout, target_modules, modules_to_save, bias,
 *                            use_rslora, base_model_name_or_path, task_type (+ PEFT's other keys at their defaults)
 * adapter_model.safetensors  base_model.model.&lt;prefix&gt;&lt;module&gt;.lora_A.weight   [r, in]
 *                            base_model.model.&lt;prefix&gt;&lt;module&gt;.lora_B.weight   [out, r]
 *                            base_model.model.&lt;saved module&gt;.weight / .bias    (modules_to_save)
 * </pre>
 *
 * GPT-2 adapters have prefix {@code transformer.} and {@code fan_in_fan_out: true} (Conv1D weights are [in, out]; the
 * lora_A / lora_B shapes are the same either way, only merging transposes).
 * PEFT saves without the adapter name ("default") and, since its ModulesToSaveWrapper refactor, a saved module under
 * its own name ({@code base_model.model.classifier.weight}); older PEFT releases produced the same keys by stripping
 * {@code modules_to_save.default}. Reading also accepts the in-memory forms
 * ({@code lora_A.default.weight}, {@code classifier.modules_to_save.default.weight}).
 */
public final class PeftFormat {
  public static final String CONFIG_FILE = "adapter_config.json";
  public static final String WEIGHTS_FILE = "adapter_model.safetensors";
  private static final String ROOT = "base_model.model.";

  private PeftFormat() {
  }

  public static void write(Path dir, PeftAdapter adapter) throws IOException {
    Files.createDirectories(dir);
    LoraConfig c = adapter.config();
    String prefix = adapter.modelPrefix();
    JsonObject o = new JsonObject();
    o.addProperty("peft_type", "LORA");
    o.addProperty("task_type", adapter.taskType());
    o.addProperty("base_model_name_or_path", adapter.baseModel());
    o.add("revision", JsonNull.INSTANCE);
    o.addProperty("r", c.rank());
    o.addProperty("lora_alpha", c.alpha());
    o.addProperty("lora_dropout", c.dropout());
    if (c.targetRegex() != null) {
      // PEFT full-matches a regex against the wrapped model's module names, which carry the prefix
      o.addProperty("target_modules", prefix.isEmpty() ? c.targetRegex()
          : prefix.replace(".", "\\.") + "(?:" + c.targetRegex() + ")");
    } else {
      JsonArray t = new JsonArray();
      c.targetModules().forEach(t::add);
      o.add("target_modules", t);
    }
    if (c.modulesToSave().isEmpty()) {
      o.add("modules_to_save", JsonNull.INSTANCE);
    } else {
      JsonArray m = new JsonArray();
      c.modulesToSave().forEach(m::add);
      o.add("modules_to_save", m);
    }
    o.addProperty("bias", c.bias());
    o.addProperty("use_rslora", c.useRsLora());
    o.addProperty("use_dora", false);
    o.addProperty("fan_in_fan_out", adapter.fanInFanOut());
    o.addProperty("init_lora_weights", true);
    o.addProperty("inference_mode", true);
    o.add("layers_to_transform", JsonNull.INSTANCE);
    o.add("layers_pattern", JsonNull.INSTANCE);
    o.add("rank_pattern", new JsonObject());
    o.add("alpha_pattern", new JsonObject());
    Files.writeString(dir.resolve(CONFIG_FILE), new GsonBuilder().setPrettyPrinting().serializeNulls().create()
        .toJson(o) + "\n", StandardCharsets.UTF_8);

    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : adapter.loraTensors().entrySet()) {
      tensors.put(ROOT + prefix + e.getKey(), e.getValue());
    }
    for (Map.Entry<String, HostTensor> e : adapter.savedModules().entrySet()) {
      tensors.put(ROOT + e.getKey(), e.getValue());
    }
    SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));
  }

  public static PeftAdapter read(Path dir) throws IOException {
    Path configFile = dir.resolve(CONFIG_FILE);
    Path weightsFile = dir.resolve(WEIGHTS_FILE);
    if (!Files.isRegularFile(configFile)) {
      throw new IOException("adapter directory " + dir + " has no " + CONFIG_FILE);
    }
    if (!Files.isRegularFile(weightsFile)) {
      throw new IOException("adapter directory " + dir + " has no " + WEIGHTS_FILE
          + (Files.exists(dir.resolve("adapter_model.bin")) ? " (adapter_model.bin, pickled, is not read: save with "
              + "safe_serialization=True)" : ""));
    }
    String origin = configFile.toString();
    JsonObject o = ConfigJson.parseObject(Files.readString(configFile, StandardCharsets.UTF_8), origin);
    String peftType = string(o, "peft_type", origin, null);
    if (!peftType.equals("LORA")) {
      throw new IOException(origin + ": peft_type is " + peftType + ", only LORA is supported");
    }
    refuseIfSet(o, "use_dora", origin, "DoRA");
    JsonElement fan = o.get("fan_in_fan_out");
    boolean fanInFanOut = fan != null && fan.isJsonPrimitive() && fan.getAsJsonPrimitive().isBoolean()
        && fan.getAsBoolean();
    for (String key : new String[] {"rank_pattern", "alpha_pattern"}) {
      JsonElement e = o.get(key);
      if (e != null && e.isJsonObject() && e.getAsJsonObject().size() > 0) {
        throw new IOException(origin + ": key '" + key + "' is not empty; per-module ranks/alphas are not supported");
      }
    }
    JsonElement layers = o.get("layers_to_transform");
    if (layers != null && !layers.isJsonNull()) {
      throw new IOException(origin + ": key 'layers_to_transform' is set; use a target_modules regex instead");
    }
    String taskType = string(o, "task_type", origin, PeftAdapter.FEATURE_EXTRACTION);
    String baseModel = string(o, "base_model_name_or_path", origin, "");
    int r = (int) number(o, "r", origin, 8);
    double alpha = number(o, "lora_alpha", origin, 8);
    double dropout = number(o, "lora_dropout", origin, 0);
    String bias = string(o, "bias", origin, "none");
    boolean rs = o.has("use_rslora") && !o.get("use_rslora").isJsonNull() && o.get("use_rslora").getAsBoolean();
    List<String> targets = List.of();
    String regex = null;
    JsonElement t = o.get("target_modules");
    if (t == null || t.isJsonNull()) {
      throw new IOException(origin + ": key 'target_modules' is missing");
    } else if (t.isJsonArray()) {
      targets = strings(t.getAsJsonArray(), "target_modules", origin);
    } else if (t.isJsonPrimitive()) {
      regex = t.getAsString();
    } else {
      throw new IOException(origin + ": key 'target_modules' must be a list of names or a regex string");
    }
    List<String> modulesToSave = List.of();
    JsonElement m = o.get("modules_to_save");
    if (m != null && !m.isJsonNull()) {
      if (!m.isJsonArray()) {
        throw new IOException(origin + ": key 'modules_to_save' must be a list");
      }
      modulesToSave = strings(m.getAsJsonArray(), "modules_to_save", origin);
    }

    Safetensors file = SafetensorsReader.read(weightsFile);
    Map<String, HostTensor> lora = new LinkedHashMap<>();
    Map<String, HostTensor> saved = new LinkedHashMap<>();
    String prefix = null;
    for (Map.Entry<String, HostTensor> e : file.tensors().entrySet()) {
      String key = e.getKey();
      if (!key.startsWith(ROOT)) {
        throw new IOException(weightsFile + ": tensor '" + key + "' does not start with '" + ROOT + "'");
      }
      String name = key.substring(ROOT.length()).replace(".lora_A.default.weight", ".lora_A.weight")
          .replace(".lora_B.default.weight", ".lora_B.weight").replace(".modules_to_save.default.", ".");
      if (name.endsWith(".lora_A.weight") || name.endsWith(".lora_B.weight")) {
        String p = name.startsWith("bert.") ? "bert."
            : name.startsWith(PeftAdapter.GPT2_PREFIX) ? PeftAdapter.GPT2_PREFIX : "";
        if (prefix != null && !prefix.equals(p)) {
          throw new IOException(weightsFile + ": tensor '" + key + "' mixes encoder prefixes ('" + prefix + "' and '"
              + p + "')");
        }
        prefix = p;
        lora.put(name.substring(p.length()), e.getValue().convertTo(org.loradist.weights.TensorType.F32));
      } else if (modulesToSave.stream().anyMatch(s -> name.equals(s + ".weight") || name.equals(s + ".bias")
          || name.startsWith(s + "."))) {
        saved.put(name, e.getValue().convertTo(org.loradist.weights.TensorType.F32));
      } else {
        throw new IOException(weightsFile + ": tensor '" + key + "' is neither a LoRA weight nor part of "
            + "modules_to_save " + modulesToSave);
      }
    }
    if (lora.isEmpty()) {
      throw new IOException(weightsFile + ": no lora_A/lora_B tensors");
    }
    prefix = prefix == null ? "" : prefix;
    if (regex != null && !prefix.isEmpty()) {
      String escaped = prefix.replace(".", "\\.") + "(?:";
      if (regex.startsWith(escaped) && regex.endsWith(")")) {
        regex = regex.substring(escaped.length(), regex.length() - 1);
      }
    }
    LoraConfig config;
    try {
      config = new LoraConfig(r, alpha, dropout, regex == null ? targets : List.of(), regex, bias, modulesToSave, rs);
    } catch (IllegalArgumentException e) {
      throw new IOException(origin + ": " + e.getMessage(), e);
    }
    checkPairs(lora, r, weightsFile.toString());
    return new PeftAdapter(config, taskType, baseModel, prefix, lora, saved, fanInFanOut);
  }

  /** Every module has both A [r, in] and B [out, r] of the config's rank. */
  private static void checkPairs(Map<String, HostTensor> lora, int r, String origin) throws IOException {
    for (Map.Entry<String, HostTensor> e : lora.entrySet()) {
      String k = e.getKey();
      boolean isA = k.endsWith(".lora_A.weight");
      String module = k.substring(0, k.length() - ".lora_A.weight".length());
      String other = module + (isA ? ".lora_B.weight" : ".lora_A.weight");
      if (!lora.containsKey(other)) {
        throw new IOException(origin + ": '" + k + "' has no matching '" + other + "'");
      }
      long[] s = e.getValue().shape();
      if (s.length != 2 || s[isA ? 0 : 1] != r) {
        throw new IOException(origin + ": '" + k + "' has shape " + Arrays.toString(s) + ", expected rank " + r
            + " in dimension " + (isA ? 0 : 1));
      }
    }
  }

  private static void refuseIfSet(JsonObject o, String key, String origin, String what) throws IOException {
    JsonElement e = o.get(key);
    if (e != null && !e.isJsonNull() && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && e.getAsBoolean()) {
      throw new IOException(origin + ": key '" + key + "' is true; " + what + " is not supported");
    }
  }

  private static List<String> strings(JsonArray a, String key, String origin) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonElement e : a) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw new IOException(origin + ": key '" + key + "' must hold strings, got " + e);
      }
      out.add(e.getAsString());
    }
    return out;
  }
}
