package org.loradist.train.lora;

import java.io.Serializable;
import org.loradist.lora.LoraConfig;

/**
 * The model side of a LoRA objective: which frozen base, how texts are cut, where the adapters go.
 *
 * @param modelPath "default" (all-MiniLM-L6-v2 on the classpath) or a Hugging Face model directory, loaded once per
 *     JVM through {@code ModelCache}
 * @param maxTokens truncation length including [CLS]/[SEP]
 * @param lora adapter configuration
 * @param initSeed seeds the adapters' A matrices and the head
 * @param baseDropout whether the frozen encoder's own dropout (hidden and attention) is on while training. Off by
 *     default: its masks come from PyTorch's per-process generator, so they depend on the batch's shape and, with two
 *     workers in one JVM, on thread timing. The adapters' dropout is drawn per example and stays exact either way.
 */
public record EncoderLoraSpec(String modelPath, int maxTokens, LoraConfig lora, long initSeed, boolean baseDropout)
    implements Serializable {

  public EncoderLoraSpec {
    modelPath = modelPath == null || modelPath.isBlank() ? "default" : modelPath;
    if (maxTokens < 3) {
      throw new IllegalArgumentException("maxTokens must be >= 3, got " + maxTokens);
    }
    if (lora == null) {
      throw new IllegalArgumentException("a LoRA config is required");
    }
  }

  public static EncoderLoraSpec of(String modelPath, int maxTokens, LoraConfig lora) {
    return new EncoderLoraSpec(modelPath, maxTokens, lora, 42, false);
  }
}
