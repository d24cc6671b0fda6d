package org.loradist.weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.loradist.model.PretrainedDecoder;
import org.loradist.model.PretrainedModel;

/**
 * Frozen base models, loaded once per JVM and shared by every task in it (Spark runs many tasks per executor JVM;
 * loading per partition would cost seconds and hundreds of MB each time). Keyed by the model path, normalised.
 * This is the project's one mutable static. Concurrent first requests for one model wait for a single load; a failed
 * load is not cached, so a later request tries again. Models from here must not be closed.
 */
public final class ModelCache {
  private static final ConcurrentHashMap<String, CompletableFuture<PretrainedModel>> MODELS = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, CompletableFuture<PretrainedDecoder>> DECODERS =
      new ConcurrentHashMap<>();

  private ModelCache() {}

  public static PretrainedModel get(String modelPath) throws IOException {
    String key = key(modelPath);
    return cached(MODELS, key, () -> ModelLoader.load(key));
  }

  /** A GPT-2-family decoder from a Hugging Face directory, loaded once per JVM (see {@link Gpt2Loader}). */
  public static PretrainedDecoder getDecoder(String modelPath) throws IOException {
    String key = key(modelPath);
    if (key.equals(ModelLoader.DEFAULT_MODEL)) {
      throw new IOException("the default model (all-MiniLM-L6-v2) is an encoder; a decoder needs a GPT-2 model "
          + "directory (config.json, model.safetensors, tokenizer.json)");
    }
    return cached(DECODERS, key, () -> Gpt2Loader.loadDirectory(Path.of(key)));
  }

  private interface Loader<M> {
    M load() throws IOException;
  }

  private static <M> M cached(ConcurrentHashMap<String, CompletableFuture<M>> models, String key, Loader<M> loader)
      throws IOException {
    CompletableFuture<M> mine = new CompletableFuture<>();
    CompletableFuture<M> existing = models.putIfAbsent(key, mine);
    if (existing == null) {
      try {
        mine.complete(loader.load());
      } catch (IOException | RuntimeException | Error e) {
        models.remove(key, mine);
        mine.completeExceptionally(e);
      }
      existing = mine;
    }
    try {
      return existing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for model " + key, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw new IOException(io.getMessage(), io);
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new UncheckedIOException(new IOException("loading model " + key + " failed", cause));
    }
  }

  static String key(String modelPath) {
    if (modelPath == null || modelPath.isBlank() || modelPath.equals(ModelLoader.DEFAULT_MODEL)) {
      return ModelLoader.DEFAULT_MODEL;
    }
    return Path.of(modelPath).toAbsolutePath().normalize().toString();
  }

  /** Whether a model is loaded (or loading) under this path; for tests and diagnostics. */
  public static boolean isCached(String modelPath) {
    return MODELS.containsKey(key(modelPath)) || DECODERS.containsKey(key(modelPath));
  }
}
