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
    if (classes < 2) {
      throw new IllegalArgumentException("classification needs at least 2 classes, got " + classes);
    }
    if (classWeights != null) {
      if (classWeights.length != classes) {
        throw new IllegalArgumentException(classWeights.length + " class weights for " + classes + " classes");
      }
      for (float w : classWeights) {
        if (!(w >= 0) || !Float.isFinite(w)) {
          throw new IllegalArgumentException("class weights must be finite and >= 0, got " + w);
        }
      }
      classWeights = classWeights.clone();
    }
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
    for (LabeledText t : replay.examples()) {
      if (t.label() >= classes) {
        throw new IllegalArgumentException("replay example " + t.id() + " has label " + t.label() + " of " + classes
            + " classes");
      }
    }
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
