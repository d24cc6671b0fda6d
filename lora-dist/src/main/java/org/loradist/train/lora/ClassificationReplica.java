package org.loradist.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.loradist.lora.Scalars;
import org.loradist.text.TokenizedText;
import org.loradist.train.Autograd;
import org.loradist.train.DataOrder;
import org.loradist.train.StepInfo;
import org.loradist.train.StepResult;
import org.loradist.train.TensorSpec;

/**
 * Loss of a shard: {@code sum_i w[y_i] · CE(head(pool(encoder(x_i))), y_i)} over task and replay examples, plus
 * {@code lambda · KL(p_base || p)} (or {@code lambda · (1 - cos)} of embeddings) on replay examples, all over the
 * step's example count, so the workers' contributions add up to the step's mean.
 */
final class ClassificationReplica extends LoraEncoderReplica<LabeledText> {
  private final ClassificationReplicaFactory f;
  private final ReplayPlan replayPlan;
  private final List<TensorSpec> specs;
  private final int hidden;

  ClassificationReplica(ClassificationReplicaFactory f) {
    super(f.spec());
    this.f = f;
    this.hidden = model.config().hiddenSize();
    this.replayPlan = new ReplayPlan(f.replay().perMicroBatch(), f.replay().examples().size(), 0);
    List<TensorSpec> s = new ArrayList<>(adapters.specs());
    s.add(new TensorSpec(ClassificationReplicaFactory.HEAD + ".weight", new int[] {f.classes(), hidden}));
    s.add(new TensorSpec(ClassificationReplicaFactory.HEAD + ".bias", new int[] {f.classes()}));
    this.specs = List.copyOf(s);
  }

  @Override
  public List<TensorSpec> trainableSpecs() {
    return specs;
  }

  /** Adapters as PEFT initialises them; the head as Hugging Face does (normal, std 0.02; bias 0). */
  @Override
  public float[][] initialTrainable() {
    float[][] lora = adapters.initialValues(spec.initSeed());
    float[][] out = new float[lora.length + 2][];
    System.arraycopy(lora, 0, out, 0, lora.length);
    float[] w = new float[f.classes() * hidden];
    SplittableRandom rng = new SplittableRandom(DataOrder.mix(spec.initSeed(), 0x68656164L));
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (gaussian(rng) * 0.02);
    }
    out[lora.length] = w;
    out[lora.length + 1] = new float[f.classes()];
    return out;
  }

  static double gaussian(SplittableRandom rng) {
    double u1 = 1 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  @Override
  public StepResult gradients(List<LabeledText> shard, List<float[]> gathered, StepInfo info) {
    int[] replayIndices = replayPlan.perMicroBatch() > 0 ? replayPlan.indices(info) : new int[0];
    List<LabeledText> rows = new ArrayList<>(shard);
    long[] seeds = new long[shard.size() + replayIndices.length];
    for (int i = 0; i < shard.size(); i++) {
      seeds[i] = info.exampleSeed(i);
    }
    for (int i = 0; i < replayIndices.length; i++) {
      rows.add(f.replay().examples().get(replayIndices[i]));
      seeds[shard.size() + i] = replayPlan.exampleSeed(info, i);
    }
    int n = rows.size();
    int taskRows = shard.size();
    double denominator = replayPlan.examplesPerStep(info);
    List<String> texts = new ArrayList<>(n);
    float[] labelMask = new float[n * f.classes()];
    for (int i = 0; i < n; i++) {
      LabeledText t = rows.get(i);
      texts.add(t.text());
      if (t.label() >= 0) {
        labelMask[i * f.classes() + t.label()] = f.classWeights() == null ? 1f : f.classWeights()[t.label()];
      }
    }
    List<TokenizedText> tokens = tokenize(texts);
    float[][] v = values();
    int nLora = v.length - 2;

    try (NDManager m = manager.newSubManager()) {
      List<TokenizedText> replayTokens = tokens.subList(taskRows, n);
      NDArray baseTarget = null;
      if (f.replay().penalised() && !replayTokens.isEmpty()) {
        // the base model's output on the replay rows: adapters off, no dropout, current head, no gradient
        adapters.bind(m, v, false);
        NDArray basePool = basePooled(m, replayTokens);
        if (f.replay().penalty() == ReplayPenalty.LOGITS_KL) {
          NDArray w = m.create(v[nLora], new Shape(f.classes(), hidden));
          NDArray b = m.create(v[nLora + 1], new Shape(f.classes()));
          baseTarget = ai.djl.nn.core.Linear.linear(basePool, w, b).singletonOrThrow().softmax(-1);
        } else {
          baseTarget = basePool.normalize(2, -1, 1e-12);
        }
      }
      try (Autograd ag = Autograd.record()) {
        List<NDArray> loraLeaves = adapters.bind(m, v, true);
        NDArray w = m.create(v[nLora], new Shape(f.classes(), hidden));
        NDArray b = m.create(v[nLora + 1], new Shape(f.classes()));
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        NDArray pooled = pooled(m, tokens, seeds, true);
        NDArray logp = ai.djl.nn.core.Linear.linear(pooled, w, b).singletonOrThrow().logSoftmax(-1);
        NDArray weighted = logp.mul(m.create(labelMask, new Shape(n, f.classes())));
        NDArray total = weighted.sum().neg();
        if (baseTarget != null) {
          NDArray penalty;
          if (f.replay().penalty() == ReplayPenalty.LOGITS_KL) {
            NDArray replayLogp = logp.get("{}:", taskRows);
            // KL(p || q) = sum p (log p - log q); p log p is constant, kept so the value reads as a KL
            penalty = baseTarget.mul(baseTarget.add(1e-30f).log().sub(replayLogp)).sum();
          } else {
            NDArray e = pooled.get("{}:", taskRows).normalize(2, -1, 1e-12);
            penalty = e.mul(baseTarget).sum(new int[] {1}).neg().add(1f).sum();
          }
          total = total.add(Scalars.times(penalty, f.replay().penaltyWeight()));
        }
        NDArray loss = Scalars.over(total, denominator);
        ag.backward(loss);
        float[][] grads = new float[v.length][];
        for (int t = 0; t < nLora; t++) {
          grads[t] = loraLeaves.get(t).getGradient().toFloatArray();
        }
        grads[nLora] = w.getGradient().toFloatArray();
        grads[nLora + 1] = b.getGradient().toFloatArray();
        return new StepResult(loss.getFloat(), grads, tokenCount(tokens));
      }
    }
  }
}
