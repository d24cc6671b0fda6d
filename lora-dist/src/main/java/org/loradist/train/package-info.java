/**
 * Model-agnostic synchronous data-parallel training on Spark.
 *
 * <p>An objective plugs in as a {@link org.loradist.train.Replica} (built per executor JVM by a serialisable
 * {@link org.loradist.train.ReplicaFactory}, cached by {@link org.loradist.train.ReplicaPool}): it names its
 * trainable tensors ({@link org.loradist.train.TensorSpec}), accepts new values, and per step returns its shard's
 * loss contribution and gradients ({@link org.loradist.train.StepResult}), optionally after a phase that
 * all-gathers a payload (embeddings) so in-batch negatives span the global batch. On DJL's PyTorch engine use
 * {@link org.loradist.train.Autograd} rather than DJL's GradientCollector, which allows one collector per JVM.
 *
 * <p>{@link org.loradist.train.DataParallelTrainer} runs W barrier tasks in lock step for K steps per Spark stage,
 * sums gradients in rank order, clips ({@link org.loradist.train.Gradients}), applies
 * {@link org.loradist.train.AdamW} with an {@link org.loradist.train.LrSchedule} identically on every replica, and
 * ends each segment with a {@link org.loradist.train.Checkpoint} from which the next segment, a retried one, or a
 * resumed run starts.
 */
package org.loradist.train;
