package org.loradist.train.lora;

import java.io.Serializable;
import java.util.List;

/**
 * Replay from a reference data set: each micro-batch carries {@code perMicroBatch} reference examples beside the
 * task examples, drawn by {@link ReplayPlan}, and their loss counts like any other example's. With a penalty
 * weight above 0, each replay example adds {@code penaltyWeight · penalty(adapted, base)}.
 */
public record Replay<E extends Serializable>(List<E> examples, int perMicroBatch, double penaltyWeight,
    ReplayPenalty penalty) implements Serializable {

  public Replay {
    examples = examples == null ? List.of() : List.copyOf(examples);
    if (perMicroBatch < 0) {
      throw new IllegalArgumentException("replay examples per micro-batch must be >= 0, got " + perMicroBatch);
    }
    if (perMicroBatch > 0 && examples.isEmpty()) {
      throw new IllegalArgumentException("replay asks for " + perMicroBatch + " examples per batch but the reference "
          + "data set is empty");
    }
    if (!(penaltyWeight >= 0) || !Double.isFinite(penaltyWeight)) {
      throw new IllegalArgumentException("replay penalty weight must be >= 0, got " + penaltyWeight);
    }
    if (penaltyWeight > 0 && penalty == null) {
      throw new IllegalArgumentException("a replay penalty weight needs a penalty kind");
    }
  }

  public static <E extends Serializable> Replay<E> none() {
    return new Replay<>(List.of(), 0, 0, null);
  }

  public boolean active() {
    return perMicroBatch > 0;
  }

  public boolean penalised() {
    return active() && penaltyWeight > 0;
  }
}
