package org.loradist.train;

import java.util.List;

/** A step produced a NaN or infinite loss or gradient; the run stopped and the last good checkpoint was kept. */
public final class TrainingDivergedException extends RuntimeException {
  private final long step;
  private final List<String> batch;
  private final String lastGoodCheckpoint;

  public TrainingDivergedException(long step, String what, List<String> batch, String lastGoodCheckpoint) {
    super("training diverged at step " + step + ": " + what + "; batch examples " + batch
        + "; last good checkpoint: " + (lastGoodCheckpoint == null ? "none" : lastGoodCheckpoint));
    this.step = step;
    this.batch = List.copyOf(batch);
    this.lastGoodCheckpoint = lastGoodCheckpoint;
  }

  /** 1-based step that failed (the update that was not applied). */
  public long step() {
    return step;
  }

  /** Ids (or list indices) of the examples of the failed step, in batch order. */
  public List<String> batch() {
    return batch;
  }

  public String lastGoodCheckpoint() {
    return lastGoodCheckpoint;
  }
}
