package org.loradist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loradist.text.TextTokenizer;

/**
 * A loaded GPT-2 checkpoint: config, frozen float32 parameters (in a manager of their own, capped once filled, so an
 * op that would attach a per-batch result to them fails loudly) and its tokenizer.json. Thread-safe; build a
 * {@link Gpt2Model} per user with {@link #newModel}, whose linears can then be wrapped independently.
 */
public final class PretrainedDecoder implements AutoCloseable {
  private final String id;
  private final Gpt2Config config;
  private final PretrainedModel.TokenizerSource tokenizer;
  private final NDManager manager;
  private final Map<String, NDArray> parameters;

  /** Takes parameters already in {@code manager}, which now belongs to this model; checks them against the config. */
  public PretrainedDecoder(String id, Gpt2Config config, Map<String, NDArray> parameters, NDManager manager,
      PretrainedModel.TokenizerSource tokenizer) {
    this.id = id;
    this.config = config;
    this.tokenizer = tokenizer;
    this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    new Gpt2Model(config, parameters); // validates names, shapes and type
    manager.cap();
    this.manager = manager;
  }

  /** The directory it was loaded from. */
  public String id() {
    return id;
  }

  public Gpt2Config config() {
    return config;
  }

  public PretrainedModel.TokenizerSource tokenizerSource() {
    return tokenizer;
  }

  public Map<String, NDArray> parameters() {
    return parameters;
  }

  /** A fresh model over the shared frozen parameters. */
  public Gpt2Model newModel() {
    return new Gpt2Model(config, parameters);
  }

  /**
   * The tokenizer, truncating model input at {@code maxTokens}. Decoder code uses its content encoding (GPT-2's
   * tokenizer adds no special tokens) and places EOS itself.
   */
  public TextTokenizer newTokenizer(int maxTokens) {
    if (maxTokens > config.nPositions()) {
      throw new IllegalArgumentException("maxTokens " + maxTokens + " exceeds the " + config.nPositions()
          + " positions of model " + id);
    }
    try {
      return tokenizer.open(Math.max(3, maxTokens));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Frees the parameters; only for models not shared through the model cache. */
  @Override
  public synchronized void close() {
    manager.close();
  }
}
