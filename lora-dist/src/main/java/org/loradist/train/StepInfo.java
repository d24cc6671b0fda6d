package org.loradist.train;

import java.io.Serializable;

/**
 * Where a worker's shard sits in the training run, handed to both phases of {@link Replica}.
 *
 * @param step 0-based optimizer step this micro-batch belongs to
 * @param totalSteps optimizer steps of the whole run
 * @param microBatch 0-based index of the micro-batch within the step (gradient accumulation)
 * @param microBatches micro-batches per step
 * @param examplesPerStep examples in the whole optimizer step across all workers and micro-batches:
 *     the loss denominator, so that summing every worker's and micro-batch's contribution gives the mean
 * @param microBatchExamples examples in this micro-batch across all workers (the span of in-batch negatives)
 * @param shardOffset index of this shard's first example within the micro-batch (rank order)
 * @param firstPosition position of this shard's first example in the run's example stream; with
 *     {@link #exampleSeed(int)} it makes per-example randomness (dropout) independent of worker count
 * @param rank this worker, 0-based; its payload is {@code gathered.get(rank)}
 * @param workers number of workers
 * @param seed the run's seed
 */
public record StepInfo(long step, long totalSteps, int microBatch, int microBatches, int examplesPerStep,
    int microBatchExamples, int shardOffset, long firstPosition, int rank, int workers, long seed)
    implements Serializable {

  /** A seed for the i-th example of the shard that depends only on the run seed and the example's stream position. */
  public long exampleSeed(int indexInShard) {
    return DataOrder.mix(seed ^ 0x5DEECE66DL, firstPosition + indexInShard);
  }
}
