package org.loradist.train.lora;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.loradist.lora.LoraConfig;
import org.loradist.lora.PeftAdapter;
import org.loradist.model.Gpt2Model;
import org.loradist.model.ModelArchitecture;
import org.loradist.train.ReplicaFactory;

/**
 * The library entry points for LoRA on GPT-2-family decoders, beside {@link LoraTraining} (encoders) and with the same
 * {@link LoraTrainingConfig} and output layout under {@code outputDir}:
 *
 * <pre>
 * adapter/adapter_config.json, adapter/adapter_model.safetensors   PEFT layout: task_type CAUSAL_LM or SEQ_CLS,
 *                                                                  base_model.model.transformer.h.N..., fan_in_fan_out
 * adapter/lora_dist.json                                           task, architecture, labels, truncation (ours)
 * checkpoints/step-NNNNNNNNN.ckpt                                  every segment (resumable)
 * metrics.jsonl                                                    one line per step
 * </pre>
 *
 * The LoRA config is read for a decoder: the encoder defaults (query, value), which name no GPT-2 module, become
 * GPT-2's default {@code c_attn}; for classification the head is {@code score} (GPT2ForSequenceClassification's),
 * which takes the place of the encoder's {@code classifier} in modules_to_save.
 */
public final class DecoderTraining {
  private DecoderTraining() {
  }

  /** Causal-LM finetuning on prompt/response records; {@code reference} (may be empty) feeds replay. */
  public static LoraTrainingResult trainCausalLm(SparkSession spark, List<PromptResponse> train,
      List<PromptResponse> reference, LoraTrainingConfig config, String outputDir) {
    return trainCausalLm(spark, train, reference, config, outputDir, null);
  }

  /**
   * As above; with {@code resumeFrom} (a checkpoint, or a checkpoint directory whose newest one is used) the run
   * continues from there, as {@link LoraTraining#trainClassifier} does.
   */
  public static LoraTrainingResult trainCausalLm(SparkSession spark, List<PromptResponse> train,
      List<PromptResponse> reference, LoraTrainingConfig config, String outputDir, String resumeFrom) {
    requireDecoder(config, LoraTask.CAUSAL_LM);
    CausalLmReplicaFactory factory = new CausalLmReplicaFactory(spec(config),
        LoraTrainingRun.replay(config, reference));
    return run(spark, factory, train, List.of(), config, outputDir, PeftAdapter.CAUSAL_LM, resumeFrom);
  }

  /** Last-token classification; {@code labels} names the classes by index; {@code reference} feeds replay. */
  public static LoraTrainingResult trainClassifier(SparkSession spark, List<LabeledText> train, List<String> labels,
      List<LabeledText> reference, LoraTrainingConfig config, String outputDir) {
    return trainClassifier(spark, train, labels, reference, config, outputDir, null);
  }

  /** Last-token classification, resuming from {@code resumeFrom} when it is not null. */
  public static LoraTrainingResult trainClassifier(SparkSession spark, List<LabeledText> train, List<String> labels,
      List<LabeledText> reference, LoraTrainingConfig config, String outputDir, String resumeFrom) {
    requireDecoder(config, LoraTask.CLASSIFICATION);
    LoraTrainingRun.checkLabels(train, labels);
    DecoderClassificationReplicaFactory factory = new DecoderClassificationReplicaFactory(spec(config),
        labels.size(), LoraTrainingRun.classWeights(config, train, labels.size()),
        LoraTrainingRun.replay(config, reference));
    return run(spark, factory, train, labels, config, outputDir, PeftAdapter.SEQ_CLS, resumeFrom);
  }

  /** The LoRA config as a decoder reads it (see the class comment). */
  public static LoraConfig decoderLora(LoraConfig lora, LoraTask task) {
    LoraConfig out = lora;
    if (lora.targetRegex() == null && lora.targetModules().equals(LoraConfig.DEFAULT_TARGETS)) {
      out = out.withTargetModules(Gpt2Model.DEFAULT_LORA_TARGETS);
    }
    List<String> save = new ArrayList<>(out.modulesToSave());
    save.remove(ClassificationReplicaFactory.HEAD);
    if (task == LoraTask.CLASSIFICATION && !save.contains(DecoderClassificationReplicaFactory.HEAD)) {
      save.add(DecoderClassificationReplicaFactory.HEAD);
    }
    return out.withModulesToSave(save);
  }

  static DecoderLoraSpec spec(LoraTrainingConfig c) {
    return new DecoderLoraSpec(c.modelPath(), c.maxTokens(), decoderLora(c.lora(), c.task()), c.seed(),
        c.baseDropout());
  }

  private static void requireDecoder(LoraTrainingConfig c, LoraTask task) {
    if (c.task() != task) {
      throw new IllegalArgumentException("the config is for task " + c.task() + ", this entry point trains " + task);
    }
    ModelArchitecture arch;
    try {
      arch = ModelArchitecture.of(c.modelPath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!arch.isDecoder()) {
      throw new IllegalArgumentException("model " + c.modelPath() + " is a " + arch.modelType() + " encoder; "
          + task.name().toLowerCase(Locale.ROOT).replace('_', '-') + " on a decoder needs a GPT-2 model directory"
          + (task == LoraTask.CAUSAL_LM ? "" : " (or use LoraTraining for encoders)"));
    }
  }

  private static <E extends Serializable> LoraTrainingResult run(SparkSession spark, ReplicaFactory<E> factory,
      List<E> train, List<String> labels, LoraTrainingConfig config, String outputDir, String taskType,
      String resumeFrom) {
    LoraConfig lora = decoderLora(config.lora(), config.task());
    return LoraTrainingRun.run(spark, factory, train, labels, config, outputDir, resumeFrom,
        result -> PeftAdapter.ofGpt2(lora, taskType, config.modelPath(), result.state().specs(),
            result.state().values()),
        sidecarModel(config));
  }

  /** The sidecar's description of the decoder run (the run's own fields follow). */
  private static JsonObject sidecarModel(LoraTrainingConfig c) {
    JsonObject o = new JsonObject();
    o.addProperty("task", c.task().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    o.addProperty("architecture", ModelArchitecture.GPT2.modelType());
    o.addProperty("model_path", c.modelPath());
    o.addProperty("max_tokens", c.maxTokens());
    o.addProperty("head_input", c.task() == LoraTask.CLASSIFICATION
        ? "final (ln_f) hidden state of the last real token" : "none");
    o.addProperty("sequence", c.task() == LoraTask.CAUSAL_LM
        ? "prompt tokens + response tokens + EOS; loss on response and EOS, mean per example" : "text tokens");
    return o;
  }
}
