package org.loradist.train.lora;

import org.loradist.train.Replica;
import org.loradist.train.ReplicaFactory;

/**
 * Sequence classification with LoRA: mean-pooled encoder output → linear head {@code classifier} (trained in full,
 * saved under PEFT's modules_to_save) → cross-entropy.
 *
 * @param classes number of labels
 * @param classWeights per-class loss weights (length {@code classes}), or null for 1
 * @param replay reference examples mixed into every micro-batch; penalty {@link ReplayPenalty#LOGITS_KL} or
 *     {@link ReplayPenalty#EMBEDDING_COSINE}
 */
public record ClassificationReplicaFactory(EncoderLoraSpec spec, int classes, float[] classWeights,
    Replay<LabeledText> replay) implements ReplicaFactory<LabeledText> {

  public static final String HEAD = "classifier";

  public ClassificationReplicaFactory {
    ClassificationHead.requireClasses(classes);
    classWeights = ClassificationHead.checkedClassWeights(classes, classWeights);
    replay = replay == null ? Replay.none() : replay;
    if (!spec.lora().modulesToSave().contains(HEAD)) {
      throw new IllegalArgumentException("the classification head '" + HEAD + "' must be in modules_to_save, got "
          + spec.lora().modulesToSave());
    }
    for (String m : spec.lora().modulesToSave()) {
      if (!m.equals(HEAD)) {
        throw new IllegalArgumentException("modules_to_save '" + m + "' is not a module this objective trains (only '"
            + HEAD + "')");
      }
    }
    ClassificationHead.requireReplayLabels(classes, replay);
  }

  @Override
  public String id() {
    return FactoryIds.of("lora-cls", spec, classes, classWeights, replay);
  }

  @Override
  public Replica<LabeledText> create() {
    return new ClassificationReplica(this);
  }
}
