package org.loradist.train.lora;

import java.io.Serializable;
import org.loradist.lora.LoraConfig;

/**
 * The model side of a decoder LoRA objective.
 *
 * @param modelPath a GPT-2-family Hugging Face model directory, loaded once per JVM through {@code ModelCache}
 * @param maxTokens sequence length limit, prompt, response and EOS included (at most the model's positions)
 * @param lora adapter configuration (targets such as c_attn, c_proj, c_fc)
 * @param initSeed seeds the adapters' A matrices and the head
 * @param baseDropout whether GPT-2's own dropout (embedding, attention, residual) is on while training; off by
 *     default for the reason given in {@link EncoderLoraSpec}
 */
public record DecoderLoraSpec(String modelPath, int maxTokens, LoraConfig lora, long initSeed, boolean baseDropout)
    implements Serializable {

  public DecoderLoraSpec {
    if (modelPath == null || modelPath.isBlank() || modelPath.equals("default")) {
      throw new IllegalArgumentException("a decoder needs a GPT-2 model directory (the default model is an encoder)");
    }
    if (maxTokens < 2) {
      throw new IllegalArgumentException("maxTokens must be >= 2, got " + maxTokens);
    }
    if (lora == null) {
      throw new IllegalArgumentException("a LoRA config is required");
    }
  }

  public static DecoderLoraSpec of(String modelPath, int maxTokens, LoraConfig lora) {
    return new DecoderLoraSpec(modelPath, maxTokens, lora, 42, false);
  }
}
