package org.loradist.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.loradist.lora.Scalars;
import org.loradist.model.DecoderBatches;
import org.loradist.model.ForwardContext;
import org.loradist.text.TextTokenizer;
import org.loradist.train.Autograd;
import org.loradist.train.StepInfo;
import org.loradist.train.StepResult;
import org.loradist.train.TensorSpec;

/**
 * Last-token classification with a GPT-2: the final hidden state of each text's last real token (batches are
 * right-padded, so it sits at length - 1, as GPT2ForSequenceClassification finds it from the pad id) goes through the
 * bias-free head {@code score} into a weighted cross-entropy; replay rows add {@code lambda · KL(p_base || p)} of the
 * class distributions or {@code lambda · (1 - cos)} of the last-token states, as in the encoder's objective.
 */
final class DecoderClassificationReplica extends LoraDecoderReplica<LabeledText> {
  private final DecoderClassificationReplicaFactory f;
  private final ReplayPlan replayPlan;
  private final List<TensorSpec> specs;
  private final int hidden;

  DecoderClassificationReplica(DecoderClassificationReplicaFactory f) {
    super(f.spec());
    this.f = f;
    this.hidden = pretrained.config().nEmbd();
    this.replayPlan = ReplayPlan.of(f.replay());
    this.specs = ClassificationHead.trainableSpecs(adapters.specs(), DecoderClassificationReplicaFactory.HEAD,
        f.classes(), hidden, false);
  }

  @Override
  public List<TensorSpec> trainableSpecs() {
    return specs;
  }

  /** Adapters as PEFT initialises them; the head as Hugging Face does (normal, std 0.02). */
  @Override
  public float[][] initialTrainable() {
    float[][] lora = adapters.initialValues(spec.initSeed());
    float[][] out = Arrays.copyOf(lora, lora.length + 1);
    out[lora.length] = ClassificationHead.initialWeight(f.classes(), hidden, spec.initSeed(), 0x73636F7265L);
    return out;
  }

  /** Token ids of a text for classification: no special tokens, cut at maxTokens; an empty text is BOS alone. */
  static long[] encode(TextTokenizer tokenizer, String text, int bosId, int maxTokens) {
    long[] ids = tokenizer.encodeContent(text).ids();
    if (ids.length == 0) {
      return new long[] {bosId};
    }
    return ids.length > maxTokens ? Arrays.copyOf(ids, maxTokens) : ids;
  }

  NDArray lastTokenStates(NDManager m, List<long[]> rows, ForwardContext ctx) {
    return DecoderBatches.lastTokenStates(model, m, rows, ctx);
  }

  @Override
  public StepResult gradients(List<LabeledText> shard, List<float[]> gathered, StepInfo info) {
    ReplayPlan.WorkerRows<LabeledText> rows = replayPlan.workerRows(shard, f.replay().examples(), info);
    int n = rows.examples().size();
    int taskRows = rows.taskRows();
    int classes = f.classes();
    List<long[]> ids = new ArrayList<>(n);
    long tokens = 0;
    for (LabeledText t : rows.examples()) {
      long[] textIds = encode(tokenizer, t.text(), pretrained.config().bosTokenId(), maxTokens());
      ids.add(textIds);
      tokens += textIds.length;
    }
    float[] labelMask = ClassificationHead.labelMask(rows.examples(), classes, f.classWeights());
    double denominator = replayPlan.examplesPerStep(info);
    float[][] v = values();
    int nLora = v.length - 1;
    List<long[]> replayIds = ids.subList(taskRows, n);

    try (NDManager m = manager.newSubManager()) {
      NDArray baseTarget = null;
      if (f.replay().penalised() && !replayIds.isEmpty()) {
        adapters.bind(m, v, false);
        adapters.setEnabled(false);
        try {
          NDArray base = lastTokenStates(m, replayIds, ForwardContext.inference());
          baseTarget = ClassificationHead.replayTarget(f.replay().penalty(), base,
              m.create(v[nLora], new Shape(classes, hidden)), null);
        } finally {
          adapters.setEnabled(true);
        }
      }
      try (Autograd ag = Autograd.record()) {
        List<NDArray> leaves = adapters.bind(m, v, true);
        NDArray w = m.create(v[nLora], new Shape(classes, hidden));
        w.setRequiresGradient(true);
        NDArray states;
        ForwardContext ctx = arm(ids, rows.seeds());
        try {
          states = lastTokenStates(m, ids, ctx);
        } finally {
          disarm();
        }
        NDArray logp = ai.djl.nn.core.Linear.linear(states, w).singletonOrThrow().logSoftmax(-1);
        NDArray total = ClassificationHead.summedLoss(logp, m.create(labelMask, new Shape(n, classes)), states,
            baseTarget, taskRows, f.replay());
        NDArray loss = Scalars.over(total, denominator);
        ag.backward(loss);
        return new StepResult(loss.getFloat(), gradients(leaves, w), tokens);
      }
    }
  }
}
