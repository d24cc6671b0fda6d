package org.loradist.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The synchronous data-parallel step, run by every worker in lock step: shard the step's batch, (gather phase-1
 * payloads), compute gradients over the micro-batches, all-gather the contributions, sum them in rank order, check
 * for NaN/Inf, clip and apply AdamW. Every worker sums the same messages in the same order with the same Java
 * arithmetic, so every replica holds bit-identical tensors after every step without a broadcast.
 */
final class StepLoop<E extends Serializable> {
  private final Replica<E> replica;
  private final List<E> examples;
  private final TrainConfig config;
  private final int rank;
  private final int workers;
  private final CountingExchange exchange;
  private final DataOrder order;

  StepLoop(Replica<E> replica, List<E> examples, TrainConfig config, int rank, int workers, Exchange exchange) {
    this.replica = replica;
    this.examples = examples;
    this.config = config;
    this.rank = rank;
    this.workers = workers;
    this.exchange = new CountingExchange(exchange);
    this.order = new DataOrder(examples.size(), config.seed());
  }

  /** A step whose loss or gradient was not finite; nothing of it was applied. */
  record Divergence(long step, String what, List<String> batch) implements Serializable {
  }

  record Outcome(List<StepMetrics> metrics, Divergence divergence) {
  }

  /** Runs steps until the state has {@code endStep} updates, or until one diverges. */
  Outcome run(TrainState state, long endStep, long taskStartNanos) {
    List<TensorSpec> specs = state.specs();
    AdamW adamW = new AdamW(config.optimizer(), specs);
    int batch = config.globalBatchSize();
    int micro = config.microBatchSize();
    List<StepMetrics> metrics = new ArrayList<>();
    replica.setTrainable(state.values());
    while (state.step() < endStep) {
      long t0 = System.nanoTime();
      long sent0 = exchange.bytesSent();
      long received0 = exchange.bytesReceived();
      double exchange0 = exchange.seconds();
      long s = state.step();
      if (state.examplesSeen() != s * batch) {
        throw new IllegalStateException("data cursor " + state.examplesSeen() + " does not match step " + s
            + " x batch " + batch);
      }
      double lr = config.schedule().lr(config.optimizer().lr(), s, config.totalSteps());
      float[][] local = zeros(specs);
      double localLoss = 0;
      long localTokens = 0;
      for (int m = 0; m < config.accumulationSteps(); m++) {
        long microStart = s * batch + (long) m * micro;
        int from = DataOrder.shardStart(micro, workers, rank);
        int to = DataOrder.shardEnd(micro, workers, rank);
        List<E> shard = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
          shard.add(examples.get(order.exampleAt(microStart + i)));
        }
        StepInfo info = new StepInfo(s, config.totalSteps(), m, config.accumulationSteps(), batch, micro, from,
            microStart + from, rank, workers, config.seed());
        List<float[]> gathered = List.of();
        if (replica.gathers()) {
          String[] payloads = exchange.allGather(FloatCodec.encode(replica.gatherPayload(shard, info)));
          List<float[]> decoded = new ArrayList<>(payloads.length);
          for (String p : payloads) {
            decoded.add(FloatCodec.decode(p));
          }
          gathered = List.copyOf(decoded);
        }
        StepResult result = replica.gradients(shard, gathered, info);
        TrainState.checkShapes(specs, result.gradients(), "gradients returned at step " + (s + 1) + " rank " + rank);
        for (int t = 0; t < local.length; t++) {
          float[] acc = local[t];
          float[] g = result.gradients()[t];
          for (int i = 0; i < acc.length; i++) {
            acc[i] += g[i];
          }
        }
        localLoss += result.loss();
        localTokens += result.tokens();
      }

      String[] contributions = exchange.allGather(FloatCodec.encodeContribution(localLoss, localTokens, local));
      float[][] sum = zeros(specs);
      double loss = 0;
      long tokens = 0;
      for (String c : contributions) { // rank order on every worker: identical sums everywhere
        double[] lossTokens = FloatCodec.addContribution(c, sum);
        loss += lossTokens[0];
        tokens += (long) lossTokens[1];
      }
      String bad = !Double.isFinite(loss) ? "loss is " + loss : null;
      int badTensor = Gradients.firstNonFinite(sum);
      if (bad == null && badTensor >= 0) {
        bad = "gradient of " + specs.get(badTensor).name() + " is not finite";
      }
      if (bad != null) {
        return new Outcome(metrics, new Divergence(s + 1, bad, batchIds(s * batch, batch)));
      }
      double norm = Gradients.globalNorm(sum);
      Gradients.clip(sum, norm, config.maxGradNorm());
      adamW.apply(state, sum, lr, s + 1);
      state.advance(batch);
      replica.setTrainable(state.values());
      long t1 = System.nanoTime();
      metrics.add(new StepMetrics(s + 1, loss, lr, norm, batch, tokens, (t1 - t0) / 1e9,
          (t1 - taskStartNanos) / 1e9, exchange.bytesSent() - sent0, exchange.bytesReceived() - received0,
          exchange.seconds() - exchange0));
    }
    return new Outcome(metrics, null);
  }

  private List<String> batchIds(long start, int size) {
    List<String> ids = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      int index = order.exampleAt(start + i);
      E e = examples.get(index);
      ids.add(e instanceof Identified identified ? identified.id() : "#" + index);
    }
    return ids;
  }

  private static float[][] zeros(List<TensorSpec> specs) {
    float[][] z = new float[specs.size()][];
    for (int i = 0; i < z.length; i++) {
      z[i] = new float[specs.get(i).size()];
    }
    return z;
  }
}
