package org.loradist.train;

/**
 * One worker's contribution to a step (or micro-batch).
 *
 * @param loss sum of the per-example losses of the shard divided by {@link StepInfo#examplesPerStep()}, so that the
 *     sum over workers and micro-batches is the step's mean loss
 * @param gradients gradient of that same quantity for every trainable tensor, in {@link Replica#trainableSpecs()}
 *     order and shape (row-major); the trainer sums them over workers and micro-batches
 * @param tokens tokens processed by the shard (0 where it has no meaning), for the tokens/s figure
 */
public record StepResult(double loss, float[][] gradients, long tokens) {
  public StepResult {
    if (gradients == null) {
      throw new IllegalArgumentException("gradients must not be null");
    }
  }
}
