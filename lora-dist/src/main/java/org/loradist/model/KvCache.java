package org.loradist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The keys and values a decoder has computed so far, per layer ([batch, heads, length, head size]), so each new
 * token costs one position of attention instead of a pass over the whole sequence. The arrays live in a manager of
 * the cache's own: per-step managers may close without freeing them, and each step's concatenation replaces (and
 * frees) the previous one, so memory stays at one copy of the sequence's keys and values.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;

  public KvCache(Gpt2Config config, NDManager parent, int batch) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[config.nLayer()];
    this.values = new NDArray[config.nLayer()];
    Shape empty = new Shape(batch, config.nHead(), 0, config.headSize());
    for (int i = 0; i < keys.length; i++) {
      keys[i] = manager.zeros(empty, DataType.FLOAT32);
      values[i] = manager.zeros(empty, DataType.FLOAT32);
    }
  }

  /** Positions already cached: where the next input's first token sits. */
  public int length() {
    return length;
  }

  /** Appends a layer's new keys and values; returns the whole cached keys and values of that layer. */
  NDArray[] append(int layer, NDArray k, NDArray v) {
    NDArray newK = keys[layer].concat(k, 2); // in the cache's manager: concat attaches to its first operand's
    NDArray newV = values[layer].concat(v, 2);
    keys[layer].close();
    values[layer].close();
    keys[layer] = newK;
    values[layer] = newV;
    return new NDArray[] {newK, newV};
  }

  /** Called once all layers have appended {@code tokens} positions. */
  void advance(int tokens) {
    length += tokens;
  }

  @Override
  public void close() {
    manager.close();
  }
}
