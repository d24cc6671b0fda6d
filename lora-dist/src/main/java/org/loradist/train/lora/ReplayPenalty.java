package org.loradist.train.lora;

/** How replay examples hold the adapted model near the base model (the same encoder with adapters off). */
public enum ReplayPenalty {
  /** KL(p_base || p_adapted) of the class distributions (classification; the head is shared by both). */
  LOGITS_KL,
  /** 1 - cos(adapted embedding, base embedding). */
  EMBEDDING_COSINE
}
