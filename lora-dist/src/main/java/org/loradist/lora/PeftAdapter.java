package org.loradist.lora;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loradist.train.TensorSpec;
import org.loradist.weights.HostTensor;

/**
 * A trained adapter as Hugging Face PEFT stores it, in our names.
 *
 * @param config rank, alpha, dropout, targets (as matched against our module names, without {@code modelPrefix})
 * @param taskType PEFT's task_type: {@link #SEQ_CLS} for a classifier (the base is then a
 *     {@code BertForSequenceClassification}, whose encoder sits under "bert."), {@link #FEATURE_EXTRACTION} for an
 *     embedding model (a plain {@code BertModel})
 * @param baseModel base_model_name_or_path
 * @param modelPrefix where the encoder sits in the Hugging Face model PEFT wraps: "bert." for SEQ_CLS, "" otherwise
 * @param loraTensors {@code <module>.lora_A.weight} [r, in] and {@code <module>.lora_B.weight} [out, r], by our
 *     module names (e.g. encoder.layer.0.attention.self.query)
 * @param savedModules fully trained modules' tensors (modules_to_save), e.g. {@code classifier.weight}
 * @param fanInFanOut PEFT's fan_in_fan_out: the adapted weights are stored [in, out] (GPT-2's Conv1D), so the merged
 *     weight is {@code W + s (B A)^T}; lora_A / lora_B keep their shapes either way
 */
public record PeftAdapter(LoraConfig config, String taskType, String baseModel, String modelPrefix,
    Map<String, HostTensor> loraTensors, Map<String, HostTensor> savedModules, boolean fanInFanOut) {

  public static final String SEQ_CLS = "SEQ_CLS";
  public static final String CAUSAL_LM = "CAUSAL_LM";
  /** Where GPT2LMHeadModel and GPT2ForSequenceClassification keep the GPT2Model that LoRA adapts. */
  public static final String GPT2_PREFIX = "transformer.";
  public static final String FEATURE_EXTRACTION = "FEATURE_EXTRACTION";
  /** The base model name written for the model that ships with lora-dist. */
  public static final String DEFAULT_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2";

  public PeftAdapter {
    if (taskType == null || taskType.isBlank()) {
      throw new IllegalArgumentException("task_type is required");
    }
    modelPrefix = modelPrefix == null ? "" : modelPrefix;
    loraTensors = Collections.unmodifiableMap(new LinkedHashMap<>(loraTensors));
    savedModules = Collections.unmodifiableMap(new LinkedHashMap<>(savedModules == null ? Map.of() : savedModules));
  }

  /** An adapter of plain linears (weights [out, in]), as for BERT. */
  public PeftAdapter(LoraConfig config, String taskType, String baseModel, String modelPrefix,
      Map<String, HostTensor> loraTensors, Map<String, HostTensor> savedModules) {
    this(config, taskType, baseModel, modelPrefix, loraTensors, savedModules, false);
  }

  /** The prefix of the encoder inside the Hugging Face class PEFT wraps for a task type. */
  public static String modelPrefixFor(String taskType) {
    return SEQ_CLS.equals(taskType) ? "bert." : "";
  }

  /**
   * An adapter from trained tensors named as the trainer names them: {@code <module>.lora_A.weight} /
   * {@code <module>.lora_B.weight} go to the LoRA tensors, names under a modules_to_save entry to the saved modules.
   */
  public static PeftAdapter of(LoraConfig config, String taskType, String baseModel, List<TensorSpec> specs,
      float[][] values) {
    return of(config, taskType, baseModel, modelPrefixFor(taskType), false, specs, values);
  }

  /** A GPT-2 adapter: the body under "transformer.", Conv1D weights (fan_in_fan_out). */
  public static PeftAdapter ofGpt2(LoraConfig config, String taskType, String baseModel, List<TensorSpec> specs,
      float[][] values) {
    return of(config, taskType, baseModel, GPT2_PREFIX, true, specs, values);
  }

  /** As {@link #of(LoraConfig, String, String, List, float[][])} with the prefix and weight layout given. */
  public static PeftAdapter of(LoraConfig config, String taskType, String baseModel, String modelPrefix,
      boolean fanInFanOut, List<TensorSpec> specs, float[][] values) {
    if (specs.size() != values.length) {
      throw new IllegalArgumentException(specs.size() + " tensor specs for " + values.length + " tensors");
    }
    Map<String, HostTensor> lora = new LinkedHashMap<>();
    Map<String, HostTensor> saved = new LinkedHashMap<>();
    for (int i = 0; i < specs.size(); i++) {
      TensorSpec s = specs.get(i);
      long[] shape = Arrays.stream(s.shape()).asLongStream().toArray();
      HostTensor t = HostTensor.ofFloats(shape, values[i]);
      if (s.name().endsWith(".lora_A.weight") || s.name().endsWith(".lora_B.weight")) {
        lora.put(s.name(), t);
      } else if (config.modulesToSave().stream().anyMatch(m -> s.name().startsWith(m + "."))) {
        saved.put(s.name(), t);
      } else {
        throw new IllegalArgumentException("tensor '" + s.name() + "' is neither a LoRA weight nor under "
            + "modules_to_save " + config.modulesToSave());
      }
    }
    return new PeftAdapter(config, taskType, baseModel, modelPrefix, lora, saved, fanInFanOut);
  }

  /** The tensors in {@code specs} order (to hand to a replica or model); names and shapes must match exactly. */
  public float[][] valuesFor(List<TensorSpec> specs) {
    float[][] out = new float[specs.size()][];
    for (int i = 0; i < specs.size(); i++) {
      TensorSpec s = specs.get(i);
      HostTensor t = loraTensors.containsKey(s.name()) ? loraTensors.get(s.name()) : savedModules.get(s.name());
      if (t == null) {
        throw new IllegalArgumentException("the adapter has no tensor '" + s.name() + "' (it has "
            + loraTensors.keySet() + " and " + savedModules.keySet() + ")");
      }
      long[] want = Arrays.stream(s.shape()).asLongStream().toArray();
      if (!Arrays.equals(t.shape(), want)) {
        throw new IllegalArgumentException("adapter tensor '" + s.name() + "' has shape " + Arrays.toString(t.shape())
            + ", the model needs " + Arrays.toString(want));
      }
      out[i] = t.toFloats();
    }
    int expected = loraTensors.size() + savedModules.size();
    if (expected != specs.size()) {
      List<String> extra = new ArrayList<>(loraTensors.keySet());
      extra.addAll(savedModules.keySet());
      extra.removeAll(specs.stream().map(TensorSpec::name).toList());
      throw new IllegalArgumentException("the adapter has tensors the model does not use: " + extra);
    }
    return out;
  }

  /** Module names that carry an adapter, in file order. */
  public List<String> adaptedModules() {
    List<String> out = new ArrayList<>();
    for (String k : loraTensors.keySet()) {
      if (k.endsWith(".lora_A.weight")) {
        out.add(k.substring(0, k.length() - ".lora_A.weight".length()));
      }
    }
    return out;
  }
}
