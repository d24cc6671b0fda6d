package org.loradist.train.lora;

import java.io.Serializable;
import org.loradist.train.Identified;

/**
 * A classification example.
 *
 * @param label class index in [0, classes), or {@link #UNLABELLED} for a replay text that only anchors the model to
 *     the base (no cross-entropy, only the replay penalty)
 */
public record LabeledText(String id, String text, int label) implements Serializable, Identified {
  public static final int UNLABELLED = -1;

  public LabeledText {
    if (text == null) {
      throw new IllegalArgumentException("example " + id + " has no text");
    }
    if (label < UNLABELLED) {
      throw new IllegalArgumentException("example " + id + " has label " + label);
    }
  }
}
