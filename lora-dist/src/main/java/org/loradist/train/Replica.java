package org.loradist.train;

import java.io.Serializable;
import java.util.List;

/**
 * One model replica on a worker: frozen weights plus the trainable tensors, able to compute gradients on a shard.
 *
 * <p>A step runs in two phases so that objectives with in-batch negatives see the whole global batch
 * (GradCache-style): phase 1, {@link #gatherPayload}, computes something small from the shard without
 * gradients (typically its embeddings); the trainer all-gathers every worker's payload in rank order; phase 2,
 * {@link #gradients}, computes the loss against the gathered payloads and back-propagates into the trainable
 * tensors through the shard's own examples only. The sum of every worker's {@link StepResult} must equal what one
 * worker holding the whole batch would return. Plain objectives leave {@link #gathers()} false and skip phase 1.
 *
 * <p>Contract: results depend only on the trainable values last set, the arguments and the frozen weights, never on
 * earlier calls (a retried segment replays steps on whatever replica the pool hands out). Randomness (dropout) is
 * drawn from {@link StepInfo#exampleSeed(int)}. A replica is used by one thread at a time; the {@link ReplicaPool}
 * hands each concurrently running task its own instance, so shared frozen weights belong in a per-JVM cache of the
 * factory, not in the replica's mutable state.
 *
 * @param <E> the example type (small serialisable records, broadcast to every executor once per run)
 */
public interface Replica<E extends Serializable> extends AutoCloseable {

  /** Names and shapes of the trainable tensors; this order is used for values, gradients and optimizer state. */
  List<TensorSpec> trainableSpecs();

  /** Initial trainable values (deterministic, e.g. seeded LoRA A and zero B); called on the driver once per run. */
  float[][] initialTrainable();

  /** Replaces the trainable values. The trainer reuses the arrays after the call: copy what you keep. */
  void setTrainable(float[][] values);

  /** Whether phase 1 runs; when false {@link #gatherPayload} is never called and {@code gathered} is empty. */
  default boolean gathers() {
    return false;
  }

  /** Phase 1: this shard's payload, computed without gradients (e.g. embeddings, row-major). */
  default float[] gatherPayload(List<E> shard, StepInfo info) {
    return new float[0];
  }

  /**
   * Phase 2: loss contribution and gradients of this shard.
   *
   * @param gathered every worker's phase-1 payload in rank order (own payload at {@code info.rank()}); empty when
   *     {@link #gathers()} is false
   */
  StepResult gradients(List<E> shard, List<float[]> gathered, StepInfo info);

  @Override
  default void close() {
  }
}
