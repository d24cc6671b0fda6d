package org.loradist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loradist.text.TextTokenizer;

/**
 * A loaded checkpoint: config, frozen base parameters (float32, and a bfloat16 copy made on first use) and where its
 * tokenizer lives. Parameters sit in NDManagers of their own that are capped once filled, so an operation that would
 * attach a per-batch result to them fails loudly instead of leaking. Thread-safe; build a {@link BertEncoder} per
 * user with {@link #newEncoder}.
 */
public final class PretrainedModel implements AutoCloseable {
  private final String id;
  private final EncoderConfig config;
  private final TokenizerSource tokenizer;
  private final Map<Precision, ParameterSet> parameterSets = new EnumMap<>(Precision.class);

  /** Where the tokenizer.json is: a file, or (path == null) the default model's classpath resource. */
  public record TokenizerSource(Path file) {
    public TextTokenizer open(int maxTokens) throws IOException {
      return file == null ? TextTokenizer.defaultModel(maxTokens) : TextTokenizer.fromFile(file, maxTokens);
    }
  }

  private record ParameterSet(NDManager manager, Map<String, NDArray> arrays) {}

  /**
   * Takes float32 parameters already checked against {@link BertEncoder#parameterShapes}; {@code manager} holds them
   * and now belongs to this model.
   */
  public PretrainedModel(String id, EncoderConfig config, Map<String, NDArray> fp32Parameters, NDManager manager,
      TokenizerSource tokenizer) {
    this.id = id;
    this.config = config;
    this.tokenizer = tokenizer;
    new BertEncoder(config, fp32Parameters); // validates names, shapes and type
    manager.cap();
    parameterSets.put(Precision.FP32,
        new ParameterSet(manager, Collections.unmodifiableMap(new LinkedHashMap<>(fp32Parameters))));
  }

  /** What the model was loaded from: "default" or a directory path. */
  public String id() {
    return id;
  }

  public EncoderConfig config() {
    return config;
  }

  public TokenizerSource tokenizerSource() {
    return tokenizer;
  }

  /** A tokenizer for this model, truncating at {@code maxTokens} (at most the model's positions). */
  public TextTokenizer newTokenizer(int maxTokens) {
    if (maxTokens > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("maxTokens " + maxTokens + " exceeds the " + config.maxPositionEmbeddings()
          + " positions of model " + id);
    }
    try {
      return tokenizer.open(maxTokens);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The frozen base parameters in {@code precision}, by Hugging Face name. */
  public synchronized Map<String, NDArray> parameters(Precision precision) {
    ParameterSet set = parameterSets.get(precision);
    if (set == null) {
      set = convert(parameterSets.get(Precision.FP32), precision.dataType());
      parameterSets.put(precision, set);
    }
    return set.arrays();
  }

  /** A fresh encoder over the shared frozen parameters (its linears can be wrapped independently). */
  public BertEncoder newEncoder(Precision precision) {
    return new BertEncoder(config, parameters(precision));
  }

  public BertEncoder newEncoder() {
    return newEncoder(Precision.FP32);
  }

  private static ParameterSet convert(ParameterSet fp32, DataType type) {
    NDManager target = NDManager.newBaseManager();
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : fp32.arrays().entrySet()) {
      NDArray p = e.getValue();
      // copy into the uncapped target first, then cast there: ops attach results to their input's manager
      try (NDArray copy = target.create(p.toFloatArray(), p.getShape())) {
        NDArray cast = copy.toType(type, true);
        out.put(e.getKey(), cast);
      }
    }
    target.cap();
    return new ParameterSet(target, Collections.unmodifiableMap(out));
  }

  /** Frees the parameters; only for models not shared through the model cache. */
  @Override
  public synchronized void close() {
    parameterSets.values().forEach(s -> s.manager().close());
    parameterSets.clear();
  }
}
