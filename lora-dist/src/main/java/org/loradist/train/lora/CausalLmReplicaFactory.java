package org.loradist.train.lora;

import org.loradist.train.Replica;
import org.loradist.train.ReplicaFactory;

/**
 * Causal-LM (instruction) finetuning of a GPT-2 with LoRA: prompt tokens read, response tokens and EOS predicted
 * (see {@link CausalLm}). Nothing besides the adapters is trained.
 *
 * @param replay reference prompt/response examples mixed into every micro-batch; their loss counts like the task's,
 *     and with a penalty weight each adds the KL of the base model's next-token distributions to the adapted one's
 *     ({@link ReplayPenalty#LOGITS_KL}, the only penalty for this objective)
 */
public record CausalLmReplicaFactory(DecoderLoraSpec spec, Replay<PromptResponse> replay)
    implements ReplicaFactory<PromptResponse> {

  public CausalLmReplicaFactory {
    replay = replay == null ? Replay.none() : replay;
    if (replay.penalised() && replay.penalty() != ReplayPenalty.LOGITS_KL) {
      throw new IllegalArgumentException("causal-LM replay penalises the next-token distributions (LOGITS_KL), not "
          + replay.penalty());
    }
    if (!spec.lora().modulesToSave().isEmpty()) {
      throw new IllegalArgumentException("causal-LM finetuning trains adapters only; modules_to_save "
          + spec.lora().modulesToSave() + " is not supported");
    }
  }

  @Override
  public String id() {
    return FactoryIds.of("lora-clm", spec, replay);
  }

  @Override
  public Replica<PromptResponse> create() {
    return new CausalLmReplica(this);
  }
}
