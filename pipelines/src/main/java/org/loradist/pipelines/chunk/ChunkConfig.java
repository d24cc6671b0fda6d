package org.loradist.pipelines.chunk;

import java.io.Serializable;

/**
 * How documents are cut into chunks.
 *
 * <p>{@code maxTokens} is the embedder's whole input length, <em>including</em> the special tokens the model adds
 * ([CLS] and [SEP] for the default model): 256 is all-MiniLM-L6-v2's {@code max_seq_length}. A chunk's own content
 * tokens ({@code n_tokens}) are at most {@code maxTokens - specialTokens - reservedTokens}, where the chunker reads
 * {@code specialTokens} from the tokenizer (2 for BERT-style models, so 254 by default). A chunk therefore always
 * fits the embedder's input whole and nothing of it is truncated at embed time.
 *
 * <p>{@code reservedTokens} (default 0) keeps room for text the embedder adds in front of a chunk (a heading
 * breadcrumb prefix). With 0, such a prefix does not fit in the budget: the embedder must then truncate the
 * prefix, never the chunk (e.g. cut the prefix to {@code maxTokens - specials - n_tokens} tokens first).
 *
 * <p>{@code overlapTokens} (default 32): consecutive chunks of one section share about this many tokens (at most
 * this many; the shared part starts at a word boundary). Chunks of different sections never overlap. It must be
 * at most half of the content budget, so every chunk adds new text.
 */
public record ChunkConfig(int maxTokens, int overlapTokens, int reservedTokens) implements Serializable {
  public static final int DEFAULT_MAX_TOKENS = 256;
  public static final int DEFAULT_OVERLAP_TOKENS = 32;

  public ChunkConfig {
    if (maxTokens < 8) {
      throw new IllegalArgumentException("maxTokens must be at least 8, got " + maxTokens);
    }
    if (overlapTokens < 0) {
      throw new IllegalArgumentException("overlapTokens must be >= 0, got " + overlapTokens);
    }
    if (reservedTokens < 0 || reservedTokens > maxTokens / 2) {
      throw new IllegalArgumentException("reservedTokens must be between 0 and maxTokens/2 = " + maxTokens / 2
          + ", got " + reservedTokens);
    }
  }

  public ChunkConfig(int maxTokens, int overlapTokens) {
    this(maxTokens, overlapTokens, 0);
  }

  public static ChunkConfig defaults() {
    return new ChunkConfig(DEFAULT_MAX_TOKENS, DEFAULT_OVERLAP_TOKENS, 0);
  }

  /** Content tokens a chunk may hold, given how many special tokens the model adds to each input. */
  public int contentBudget(int specialTokens) {
    int budget = maxTokens - specialTokens - reservedTokens;
    if (budget < 4) {
      throw new IllegalArgumentException("maxTokens " + maxTokens + " leaves " + budget + " content tokens after "
          + specialTokens + " special and " + reservedTokens + " reserved tokens; need at least 4");
    }
    if (overlapTokens > budget / 2) {
      throw new IllegalArgumentException("overlapTokens must be at most half the content budget (" + budget / 2
          + " for maxTokens " + maxTokens + "), got " + overlapTokens);
    }
    return budget;
  }
}
