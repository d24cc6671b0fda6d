package org.loradist.train.lora;

import org.loradist.train.Replica;
import org.loradist.train.ReplicaFactory;

/**
 * Contrastive retrieval with LoRA: symmetric InfoNCE over (query, passage) pairs with in-batch negatives drawn from
 * the whole global micro-batch across workers (GradCache), as sentence-transformers'
 * MultipleNegativesSymmetricRankingLoss with gathered embeddings.
 *
 * @param scale similarity scale (inverse temperature) on cosine similarities; sentence-transformers uses 20
 * @param replay reference pairs mixed into every micro-batch; penalty {@link ReplayPenalty#EMBEDDING_COSINE}
 */
public record RetrievalReplicaFactory(EncoderLoraSpec spec, double scale, Replay<TextPair> replay)
    implements ReplicaFactory<TextPair> {

  public static final double DEFAULT_SCALE = 20;

  public RetrievalReplicaFactory {
    if (!(scale > 0) || !Double.isFinite(scale)) {
      throw new IllegalArgumentException("similarity scale must be a positive number, got " + scale);
    }
    replay = replay == null ? Replay.none() : replay;
    if (replay.penalised() && replay.penalty() != ReplayPenalty.EMBEDDING_COSINE) {
      throw new IllegalArgumentException("retrieval has no class outputs: its replay penalty is EMBEDDING_COSINE, got "
          + replay.penalty());
    }
    if (!spec.lora().modulesToSave().isEmpty()) {
      throw new IllegalArgumentException("retrieval trains adapters only; modules_to_save "
          + spec.lora().modulesToSave() + " has nothing to train");
    }
  }

  @Override
  public String id() {
    return FactoryIds.of("lora-retrieval", spec, scale, replay);
  }

  @Override
  public Replica<TextPair> create() {
    return new RetrievalReplica(this);
  }
}
