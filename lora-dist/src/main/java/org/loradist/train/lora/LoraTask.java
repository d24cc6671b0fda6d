package org.loradist.train.lora;

import java.util.Locale;

/** What a LoRA run trains. */
public enum LoraTask {
  /** Text → label: pooled output, linear head, cross-entropy. PEFT task_type SEQ_CLS. */
  CLASSIFICATION,
  /** (query, passage) pairs: symmetric InfoNCE with in-batch negatives. PEFT task_type FEATURE_EXTRACTION. */
  RETRIEVAL,
  /** (prompt, response) records: next-token loss on the response, decoders only. PEFT task_type CAUSAL_LM. */
  CAUSAL_LM;

  public static LoraTask parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("task '" + s + "' is not one of classification, retrieval, causal-lm");
    }
  }
}
