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
    ClassificationHead.requireClasses(classes);
    classWeights = ClassificationHead.checkedClassWeights(classes, classWeights);
    replay = replay == null ? Replay.none() : replay;
    if (!spec.lora().modulesToSave().equals(java.util.List.of(HEAD))) {
      throw new IllegalArgumentException("the decoder's classification head '" + HEAD + "' must be the one entry of "
          + "modules_to_save, got " + spec.lora().modulesToSave());
    }
    ClassificationHead.requireReplayLabels(classes, replay);
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
