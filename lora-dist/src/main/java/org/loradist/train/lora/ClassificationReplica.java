package org.loradist.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.loradist.lora.Scalars;
import org.loradist.text.TokenizedText;
import org.loradist.train.Autograd;
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
    this.replayPlan = ReplayPlan.of(f.replay());
    this.specs = ClassificationHead.trainableSpecs(adapters.specs(), ClassificationReplicaFactory.HEAD, f.classes(),
        hidden, true);
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
    out[lora.length] = ClassificationHead.initialWeight(f.classes(), hidden, spec.initSeed(), 0x68656164L);
    out[lora.length + 1] = new float[f.classes()];
    return out;
  }

  @Override
  public StepResult gradients(List<LabeledText> shard, List<float[]> gathered, StepInfo info) {
    ReplayPlan.WorkerRows<LabeledText> rows = replayPlan.workerRows(shard, f.replay().examples(), info);
    int n = rows.examples().size();
    int taskRows = rows.taskRows();
    double denominator = replayPlan.examplesPerStep(info);
    float[] labelMask = ClassificationHead.labelMask(rows.examples(), f.classes(), f.classWeights());
    List<TokenizedText> tokens = tokenize(rows.examples().stream().map(LabeledText::text).toList());
    float[][] v = values();
    int nLora = v.length - 2;

    try (NDManager m = manager.newSubManager()) {
      List<TokenizedText> replayTokens = tokens.subList(taskRows, n);
      NDArray baseTarget = null;
      if (f.replay().penalised() && !replayTokens.isEmpty()) {
        // the base model's output on the replay rows: adapters off, no dropout, current head, no gradient
        adapters.bind(m, v, false);
        NDArray basePool = basePooled(m, replayTokens);
        baseTarget = ClassificationHead.replayTarget(f.replay().penalty(), basePool,
            m.create(v[nLora], new Shape(f.classes(), hidden)), m.create(v[nLora + 1], new Shape(f.classes())));
      }
      try (Autograd ag = Autograd.record()) {
        List<NDArray> loraLeaves = adapters.bind(m, v, true);
        NDArray w = m.create(v[nLora], new Shape(f.classes(), hidden));
        NDArray b = m.create(v[nLora + 1], new Shape(f.classes()));
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        NDArray pooled = pooled(m, tokens, rows.seeds(), true);
        NDArray logp = ai.djl.nn.core.Linear.linear(pooled, w, b).singletonOrThrow().logSoftmax(-1);
        NDArray total = ClassificationHead.summedLoss(logp, m.create(labelMask, new Shape(n, f.classes())), pooled,
            baseTarget, taskRows, f.replay());
        NDArray loss = Scalars.over(total, denominator);
        ag.backward(loss);
        return new StepResult(loss.getFloat(), gradients(loraLeaves, w, b), tokenCount(tokens));
      }
    }
  }
}
