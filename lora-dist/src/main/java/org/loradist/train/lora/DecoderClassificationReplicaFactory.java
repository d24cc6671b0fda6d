package org.loradist.train.lora;

import org.loradist.train.Replica;
import org.loradist.train.ReplicaFactory;

/**
 * Sequence classification with a GPT-2 and LoRA: last real token's final state → bias-free linear head
 * {@code score} (GPT2ForSequenceClassification's name, trained in full and saved under PEFT's modules_to_save) →
 * cross-entropy.
 *
 * @param classes number of labels
 * @param classWeights per-class loss weights (length {@code classes}), or null for 1
 * @param replay reference examples mixed into every micro-batch, penalty {@link ReplayPenalty#LOGITS_KL} or
 *     {@link ReplayPenalty#EMBEDDING_COSINE} (of the last-token states)
 */
public record DecoderClassificationReplicaFactory(DecoderLoraSpec spec, int classes, float[] classWeights,
    Replay<LabeledText> replay) implements ReplicaFactory<LabeledText> {

  public static final String HEAD = "score";

  public DecoderClassificationReplicaFactory {
    if (classes < 2) {
      throw new IllegalArgumentException("classification needs at least 2 classes, got " + classes);
    }
    if (classWeights != null) {
      if (classWeights.length != classes) {
        throw new IllegalArgumentException(classWeights.length + " class weights for " + classes + " classes");
      }
      classWeights = classWeights.clone();
    }
    replay = replay == null ? Replay.none() : replay;
    if (!spec.lora().modulesToSave().equals(java.util.List.of(HEAD))) {
      throw new IllegalArgumentException("the decoder's classification head '" + HEAD + "' must be the one entry of "
          + "modules_to_save, got " + spec.lora().modulesToSave());
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
    return FactoryIds.of("lora-dcls", spec, classes, classWeights, replay);
  }

  @Override
  public Replica<LabeledText> create() {
    return new DecoderClassificationReplica(this);
  }
}
