package org.loradist.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.loradist.lora.Scalars;
import org.loradist.model.ForwardContext;
import org.loradist.train.Autograd;
import org.loradist.train.StepInfo;
import org.loradist.train.StepResult;
import org.loradist.train.TensorSpec;

/**
 * Loss of a shard: {@code sum_i mean_t CE(next token)} over the response tokens (and EOS) of task and replay
 * examples, plus {@code lambda · mean_t KL(p_base || p)} of the next-token distributions on replay examples (the base
 * is the same model with the adapters switched off), all over the step's example count.
 */
final class CausalLmReplica extends LoraDecoderReplica<PromptResponse> {
  private final CausalLmReplicaFactory f;
  private final ReplayPlan replayPlan;

  CausalLmReplica(CausalLmReplicaFactory f) {
    super(f.spec());
    this.f = f;
    this.replayPlan = ReplayPlan.of(f.replay());
  }

  @Override
  public List<TensorSpec> trainableSpecs() {
    return adapters.specs();
  }

  @Override
  public float[][] initialTrainable() {
    return adapters.initialValues(spec.initSeed());
  }

  CausalLm.Sequence encode(PromptResponse e) {
    return CausalLm.encode(tokenizer, e.prompt(), e.response(), pretrained.config().bosTokenId(),
        pretrained.config().eosTokenId(), maxTokens());
  }

  @Override
  public StepResult gradients(List<PromptResponse> shard, List<float[]> gathered, StepInfo info) {
    ReplayPlan.WorkerRows<PromptResponse> rows = replayPlan.workerRows(shard, f.replay().examples(), info);
    List<CausalLm.Sequence> seqs = new ArrayList<>();
    for (PromptResponse e : rows.examples()) {
      seqs.add(encode(e));
    }
    long[] seeds = rows.seeds();
    List<CausalLm.Sequence> replaySeqs = seqs.subList(shard.size(), seqs.size());
    double denominator = replayPlan.examplesPerStep(info);
    float[][] v = values();

    try (NDManager m = manager.newSubManager()) {
      NDArray baseProbs = null;
      if (f.replay().penalised() && !replaySeqs.isEmpty()) {
        // the base model's next-token distributions on the replay rows: adapters off, no dropout, no gradient
        adapters.bind(m, v, false);
        adapters.setEnabled(false);
        try {
          baseProbs = CausalLm.targetLogProbs(model, m, replaySeqs, ForwardContext.inference()).exp();
        } finally {
          adapters.setEnabled(true);
        }
      }
      try (Autograd ag = Autograd.record()) {
        List<NDArray> leaves = adapters.bind(m, v, true);
        NDArray logp;
        ForwardContext ctx = arm(seqs.stream().map(CausalLm.Sequence::ids).toList(), seeds);
        try {
          logp = CausalLm.targetLogProbs(model, m, seqs, ctx);
        } finally {
          disarm();
        }
        NDArray total = CausalLm.crossEntropySum(logp, seqs);
        if (baseProbs != null) {
          int taskTargets = seqs.subList(0, shard.size()).stream().mapToInt(CausalLm.Sequence::targets).sum();
          NDArray replayLogp = logp.get("{}:", taskTargets);
          // KL(p || q) = sum_v p (log p - log q) per position; positions weighted into per-example means
          NDArray perPosition = baseProbs.mul(baseProbs.add(1e-30f).log().sub(replayLogp)).sum(new int[] {1});
          float[] w = CausalLm.exampleMeanWeights(replaySeqs);
          NDArray kl = perPosition.mul(m.create(w, new Shape(w.length))).sum();
          total = total.add(Scalars.times(kl, f.replay().penaltyWeight()));
        }
        NDArray loss = Scalars.over(total, denominator);
        ag.backward(loss);
        return new StepResult(loss.getFloat(), gradients(leaves), CausalLm.tokens(seqs));
      }
    }
  }
}
