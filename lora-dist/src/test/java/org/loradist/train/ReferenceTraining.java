package org.loradist.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The textbook single-process loop the distributed trainer must reproduce: whole micro-batches on one replica,
 * summed over micro-batches, clipped, one AdamW update per step. No Spark, no sharding, no messages.
 */
final class ReferenceTraining {
  private ReferenceTraining() {
  }

  static <E extends Serializable> TrainState run(ReplicaFactory<E> factory, List<E> examples, TrainConfig config) {
    try (Replica<E> replica = factory.create()) {
      TrainState state = TrainState.initial(replica.trainableSpecs(), replica.initialTrainable(), config.seed());
      DataOrder order = new DataOrder(examples.size(), config.seed());
      AdamW adamW = new AdamW(config.optimizer(), state.specs());
      int batch = config.globalBatchSize();
      int micro = config.microBatchSize();
      replica.setTrainable(state.values());
      for (long s = 0; s < config.totalSteps(); s++) {
        float[][] sum = null;
        for (int m = 0; m < config.accumulationSteps(); m++) {
          long start = s * batch + (long) m * micro;
          List<E> microBatch = new ArrayList<>();
          for (int i = 0; i < micro; i++) {
            microBatch.add(examples.get(order.exampleAt(start + i)));
          }
          StepInfo info = new StepInfo(s, config.totalSteps(), m, config.accumulationSteps(), batch, micro, 0,
              start, 0, 1, config.seed());
          List<float[]> gathered = replica.gathers() ? List.of(replica.gatherPayload(microBatch, info)) : List.of();
          float[][] g = replica.gradients(microBatch, gathered, info).gradients();
          if (sum == null) {
            sum = g;
          } else {
            for (int t = 0; t < sum.length; t++) {
              for (int i = 0; i < sum[t].length; i++) {
                sum[t][i] += g[t][i];
              }
            }
          }
        }
        double norm = Gradients.globalNorm(sum);
        Gradients.clip(sum, norm, config.maxGradNorm());
        adamW.apply(state, sum, config.schedule().lr(config.optimizer().lr(), s, config.totalSteps()), s + 1);
        state.advance(batch);
        replica.setTrainable(state.values());
      }
      return state;
    }
  }
}
