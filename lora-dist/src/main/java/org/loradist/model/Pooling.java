package org.loradist.model;

/** How token states become one sentence vector. */
public enum Pooling {
  /** Average over the attention mask: sentence-transformers' default, and ours. */
  MEAN,
  /** The first ([CLS]) token's state. */
  CLS
}
