package org.loradist.train.lora;

import java.util.ArrayList;
import java.util.List;
import org.loradist.train.DataOrder;
import org.loradist.train.StepInfo;

/**
 * Which reference examples each worker adds to a micro-batch. Replay has a stream of its own, a seeded permutation
 * of the reference set epoch after epoch ({@link DataOrder}); micro-batch {@code j = step · k + m} takes its
 * positions {@code [j·R, (j+1)·R)} and worker {@code r} of {@code W} the same contiguous slice as for task examples.
 * So every micro-batch holds exactly R reference examples whatever the worker count, and their per-example seeds
 * depend only on stream positions.
 */
public final class ReplayPlan {
  private static final long SALT = 0x7265706C6179L; // "replay"

  private final int perMicroBatch;
  private final DataOrder order;
  private final long seed;

  public ReplayPlan(int perMicroBatch, int referenceCount, long seed) {
    this.perMicroBatch = perMicroBatch;
    this.order = perMicroBatch > 0 ? new DataOrder(referenceCount, seed ^ SALT) : null;
    this.seed = seed;
  }

  /** The plan of a LoRA replica's replay examples (every objective uses seed 0). */
  static ReplayPlan of(Replay<?> replay) {
    return new ReplayPlan(replay.perMicroBatch(), replay.examples().size(), 0);
  }

  public int perMicroBatch() {
    return perMicroBatch;
  }

  /** Stream position of this worker's first replay example in the micro-batch of {@code info}. */
  public long firstPosition(StepInfo info) {
    long microIndex = info.step() * info.microBatches() + info.microBatch();
    return microIndex * perMicroBatch + DataOrder.shardStart(perMicroBatch, info.workers(), info.rank());
  }

  /** How many replay examples this worker adds to the micro-batch. */
  public int count(StepInfo info) {
    if (perMicroBatch == 0) {
      return 0;
    }
    return DataOrder.shardEnd(perMicroBatch, info.workers(), info.rank())
        - DataOrder.shardStart(perMicroBatch, info.workers(), info.rank());
  }

  /** Indices into the reference set of this worker's replay examples for the micro-batch. */
  public int[] indices(StepInfo info) {
    int n = count(info);
    int[] out = new int[n];
    long first = firstPosition(info);
    for (int i = 0; i < n; i++) {
      out[i] = order.exampleAt(first + i);
    }
    return out;
  }

  /** Per-example seed of the i-th replay example of this worker (dropout masks). */
  public long exampleSeed(StepInfo info, int i) {
    return DataOrder.mix(seed ^ SALT, firstPosition(info) + i);
  }

  /**
   * This worker's examples in a micro-batch, with their per-example seeds (dropout masks).
   *
   * @param examples the task examples ({@code taskRows} of them), then the replay examples
   */
  public record WorkerRows<E>(List<E> examples, long[] seeds, int taskRows) {
  }

  /** This worker's rows for the micro-batch of {@code info}: {@code shard}, then its picks from {@code reference}. */
  public <E> WorkerRows<E> workerRows(List<E> shard, List<E> reference, StepInfo info) {
    int[] replayIndices = perMicroBatch > 0 ? indices(info) : new int[0];
    List<E> rows = new ArrayList<>(shard);
    long[] seeds = new long[shard.size() + replayIndices.length];
    for (int i = 0; i < shard.size(); i++) {
      seeds[i] = info.exampleSeed(i);
    }
    for (int i = 0; i < replayIndices.length; i++) {
      rows.add(reference.get(replayIndices[i]));
      seeds[shard.size() + i] = exampleSeed(info, i);
    }
    return new WorkerRows<>(rows, seeds, shard.size());
  }

  /** Examples in a whole optimizer step, task and replay: the loss denominator. */
  public int examplesPerStep(StepInfo info) {
    return info.examplesPerStep() + perMicroBatch * info.microBatches();
  }
}
