package org.loradist.pipelines.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import org.loradist.model.BertEncoder;
import org.loradist.model.Precision;
import org.loradist.model.PretrainedModel;
import org.loradist.text.TextTokenizer;
import org.loradist.weights.ModelCache;

/**
 * The per-executor-JVM encoder and tokenizer of a model: loaded by the first task that needs them and shared by
 * every later task of the JVM (the weights themselves live once in {@link ModelCache}).
 */
final class EncoderCache {
  record Key(String model, int maxTokens, Precision precision) implements java.io.Serializable {}

  record Loaded(String modelId, BertEncoder encoder, TextTokenizer tokenizer) {}

  private static final ConcurrentHashMap<Key, Loaded> LOADED = new ConcurrentHashMap<>();

  private EncoderCache() {}

  static Loaded get(Key key) {
    return LOADED.computeIfAbsent(key, k -> {
      try {
        PretrainedModel model = ModelCache.get(k.model());
        return new Loaded(model.id(), model.newEncoder(k.precision()), model.newTokenizer(k.maxTokens()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot load model '" + k.model() + "': " + e.getMessage(), e);
      }
    });
  }

  static int loadedCount() {
    return LOADED.size();
  }
}
