package org.loradist.train;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.loradist.model.TorchThreads;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;

/**
 * One barrier task of a segment: borrows this JVM's replica, runs steps {@code [start.step, endStep)} in lock step
 * with the other tasks through {@code BarrierTaskContext.allGather}, and on rank 0 writes the segment's checkpoint.
 * A retried stage attempt starts again from the same broadcast state, so a lost executor costs the segment's steps,
 * not the run, and the replayed steps give the same bits.
 */
final class SegmentTask<E extends Serializable>
    extends AbstractFunction1<Iterator<Integer>, Iterator<SegmentResult>> implements Serializable {
  private final ReplicaFactory<E> factory;
  private final Broadcast<List<E>> examples;
  private final Broadcast<TrainState> start;
  private final TrainConfig config;
  private final Map<String, String> settings;
  private final long endStep;
  private final SerializableHadoopConf hadoop;

  SegmentTask(ReplicaFactory<E> factory, Broadcast<List<E>> examples, Broadcast<TrainState> start,
      TrainConfig config, Map<String, String> settings, long endStep, SerializableHadoopConf hadoop) {
    this.factory = factory;
    this.examples = examples;
    this.start = start;
    this.config = config;
    this.settings = settings;
    this.endStep = endStep;
    this.hadoop = hadoop;
  }

  @Override
  public Iterator<SegmentResult> apply(Iterator<Integer> ignored) {
    long taskStart = System.nanoTime();
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int rank = ctx.partitionId();
    int workers = ctx.getTaskInfos().length;
    // PyTorch's default pool is one thread per core; with several tasks per JVM or several executors per host that
    // oversubscribes the cores (measured 1-10 s per step instead of 0.2-0.6 s).
    TorchThreads.setIntraOpThreads(TaskThreads.of(ctx, SparkEnv.get().conf()));
    Replica<E> replica = ReplicaPool.borrow(factory);
    try {
      TrainState state = start.value().copy();
      StepLoop<E> loop = new StepLoop<>(replica, examples.value(), config, rank, workers,
          new BarrierExchange(ctx));
      StepLoop.Outcome outcome = loop.run(state, endStep, taskStart);
      String checkpoint = null;
      if (rank == 0 && outcome.divergence() == null) {
        checkpoint = Checkpoint.write(config.checkpointDir(), state, settings, config.keepCheckpoints(),
            hadoop.get());
      }
      SegmentResult result = new SegmentResult(rank, SparkEnv.get().executorId(),
          ReplicaPool.created(factory.id()), state.fingerprint(), state.step(),
          rank == 0 ? outcome.metrics() : List.of(), outcome.divergence(), checkpoint);
      return JavaConverters.asScalaIterator(List.of(result).iterator());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      ReplicaPool.release(factory, replica);
    }
  }
}
