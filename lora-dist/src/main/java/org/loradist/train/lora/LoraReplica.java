package org.loradist.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.loradist.lora.LoraAdapters;
import org.loradist.text.TextTokenizer;
import org.loradist.train.Replica;

/**
 * What a LoRA replica holds whatever the architecture: the adapters injected into its own copy of the frozen model,
 * the tokenizer, an NDManager of its own, and the trainable values the trainer last set.
 */
abstract class LoraReplica<E extends Serializable> implements Replica<E> {
  protected final LoraAdapters adapters;
  protected final TextTokenizer tokenizer;
  protected final NDManager manager;
  private float[][] values;

  LoraReplica(LoraAdapters adapters, TextTokenizer tokenizer) {
    this.adapters = adapters;
    this.tokenizer = tokenizer;
    this.manager = NDManager.newBaseManager();
  }

  /** A loader of the frozen model from the per-JVM cache. */
  @FunctionalInterface
  interface CachedModel<M> {
    M load() throws IOException;
  }

  /** The frozen model; a replica cannot be built without it. */
  static <M> M cached(CachedModel<M> model) {
    try {
      return model.load();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void setTrainable(float[][] v) {
    float[][] copy = new float[v.length][];
    for (int i = 0; i < v.length; i++) {
      copy[i] = v[i].clone();
    }
    values = copy;
  }

  protected float[][] values() {
    if (values == null) {
      throw new IllegalStateException("setTrainable was never called");
    }
    return values;
  }

  /**
   * A step's gradients in trainable order: the adapters' (their leaves as {@link LoraAdapters#bind} returned them),
   * then those of the other trained tensors {@code head}.
   */
  protected static float[][] gradients(List<NDArray> adapterLeaves, NDArray... head) {
    float[][] grads = new float[adapterLeaves.size() + head.length][];
    for (int t = 0; t < adapterLeaves.size(); t++) {
      grads[t] = adapterLeaves.get(t).getGradient().toFloatArray();
    }
    for (int h = 0; h < head.length; h++) {
      grads[adapterLeaves.size() + h] = head[h].getGradient().toFloatArray();
    }
    return grads;
  }

  @Override
  public void close() {
    manager.close();
    tokenizer.close();
  }
}
