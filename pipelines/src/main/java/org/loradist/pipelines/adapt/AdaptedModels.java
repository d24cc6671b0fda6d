package org.loradist.pipelines.adapt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.loradist.lora.AdaptedModel;
import org.loradist.lora.PeftAdapter;
import org.loradist.lora.PeftFormat;

/**
 * The per-executor-JVM adapted models: the adapter file is read once per JVM, and an {@link AdaptedModel} (not
 * thread-safe) is built once per concurrent task slot and handed from task to task, never per partition. The base
 * weights themselves live once in the model cache underneath.
 */
public final class AdaptedModels {
  private static final ConcurrentHashMap<AdapterSpec, Pool> POOLS = new ConcurrentHashMap<>();

  private AdaptedModels() {}

  private static final class Pool {
    final PeftAdapter adapter;
    final ConcurrentLinkedQueue<AdaptedModel> idle = new ConcurrentLinkedQueue<>();
    final AtomicInteger built = new AtomicInteger();

    Pool(PeftAdapter adapter) {
      this.adapter = adapter;
    }
  }

  /** A model for {@code spec}, to {@link #release} when the task is done with it. */
  public static AdaptedModel borrow(AdapterSpec spec) {
    Pool pool = POOLS.computeIfAbsent(spec, s -> {
      try {
        return new Pool(s.adapterDir() == null ? null : PeftFormat.read(Path.of(s.adapterDir())));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read adapter " + s.adapterDir() + ": " + e.getMessage(), e);
      }
    });
    AdaptedModel m = pool.idle.poll();
    if (m != null) {
      return m;
    }
    try {
      m = AdaptedModel.load(spec.modelPath(), pool.adapter, spec.maxTokens(), spec.merge());
      pool.built.incrementAndGet();
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load model '" + spec.modelPath() + "': " + e.getMessage(), e);
    }
  }

  public static void release(AdapterSpec spec, AdaptedModel model) {
    POOLS.get(spec).idle.add(model);
  }

  /** How many models were built for {@code spec} in this JVM (for tests: one per task slot, not per partition). */
  public static int built(AdapterSpec spec) {
    Pool p = POOLS.get(spec);
    return p == null ? 0 : p.built.get();
  }
}
