package org.loradist.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.loradist.lora.Scalars;
import org.loradist.train.DataOrder;
import org.loradist.train.TensorSpec;

/**
 * The linear classification head that both architectures train beside their adapters (the encoder's
 * {@code classifier}, with a bias, on mean-pooled states; the decoder's bias-free {@code score} on last-token states),
 * and its objective: weighted cross-entropy over every row, plus the replay penalty on the replay rows.
 */
final class ClassificationHead {
  private ClassificationHead() {
  }

  /** A classification objective needs two classes or more. */
  static void requireClasses(int classes) {
    if (classes < 2) {
      throw new IllegalArgumentException("classification needs at least 2 classes, got " + classes);
    }
  }

  /** The per-class loss weights an objective keeps: null (all 1), or a copy of one finite weight >= 0 per class. */
  static float[] checkedClassWeights(int classes, float[] classWeights) {
    if (classWeights == null) {
      return null;
    }
    if (classWeights.length != classes) {
      throw new IllegalArgumentException(classWeights.length + " class weights for " + classes + " classes");
    }
    for (float w : classWeights) {
      if (!(w >= 0) || !Float.isFinite(w)) {
        throw new IllegalArgumentException("class weights must be finite and >= 0, got " + w);
      }
    }
    return classWeights.clone();
  }

  /** Every replay example's label must be one of the {@code classes}. */
  static void requireReplayLabels(int classes, Replay<LabeledText> replay) {
    for (LabeledText t : replay.examples()) {
      if (t.label() >= classes) {
        throw new IllegalArgumentException("replay example " + t.id() + " has label " + t.label() + " of " + classes
            + " classes");
      }
    }
  }

  /** What a classification replica trains: the adapters, then the head's weight {@code [classes, hidden]}, bias. */
  static List<TensorSpec> trainableSpecs(List<TensorSpec> adapterSpecs, String head, int classes, int hidden,
      boolean withBias) {
    List<TensorSpec> specs = new ArrayList<>(adapterSpecs);
    specs.add(new TensorSpec(head + ".weight", new int[] {classes, hidden}));
    if (withBias) {
      specs.add(new TensorSpec(head + ".bias", new int[] {classes}));
    }
    return List.copyOf(specs);
  }

  /**
   * Head weights {@code [classes, hidden]} as Hugging Face initialises them: normal, std 0.02, drawn from the run's
   * init seed mixed with {@code salt} (one per head name).
   */
  static float[] initialWeight(int classes, int hidden, long initSeed, long salt) {
    float[] w = new float[classes * hidden];
    SplittableRandom rng = new SplittableRandom(DataOrder.mix(initSeed, salt));
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (gaussian(rng) * 0.02);
    }
    return w;
  }

  static double gaussian(SplittableRandom rng) {
    double u1 = 1 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * Row-major {@code [rows, classes]}: each row's weight on its label's log-probability ({@code classWeights[y]}, or 1
   * without class weights), 0 elsewhere and on rows without a label.
   */
  static float[] labelMask(List<LabeledText> rows, int classes, float[] classWeights) {
    float[] mask = new float[rows.size() * classes];
    for (int i = 0; i < rows.size(); i++) {
      int label = rows.get(i).label();
      if (label >= 0) {
        mask[i * classes + label] = classWeights == null ? 1f : classWeights[label];
      }
    }
    return mask;
  }

  /**
   * What the replay rows are held to, from the base model's features of them: the class distribution the head gives
   * them ({@link ReplayPenalty#LOGITS_KL}; {@code bias} may be null) or their direction (embedding cosine).
   */
  static NDArray replayTarget(ReplayPenalty penalty, NDArray baseFeatures, NDArray weight, NDArray bias) {
    if (penalty == ReplayPenalty.LOGITS_KL) {
      return Linear.linear(baseFeatures, weight, bias).singletonOrThrow().softmax(-1);
    }
    return baseFeatures.normalize(2, -1, 1e-12);
  }

  /**
   * The summed (not averaged) loss: {@code -sum(labelMask · logp)}, plus, with a {@code replayTarget}, the replay
   * penalty of the rows from {@code taskRows} on times its weight.
   *
   * @param logp head log-probabilities {@code [rows, classes]}
   * @param features what the head read {@code [rows, hidden]} (the cosine penalty's embeddings)
   * @param replayTarget {@link #replayTarget} of the replay rows, or null for no penalty
   */
  static NDArray summedLoss(NDArray logp, NDArray labelMask, NDArray features, NDArray replayTarget, int taskRows,
      Replay<LabeledText> replay) {
    NDArray total = logp.mul(labelMask).sum().neg();
    if (replayTarget == null) {
      return total;
    }
    NDArray penalty;
    if (replay.penalty() == ReplayPenalty.LOGITS_KL) {
      // KL(p || q) = sum p (log p - log q); p log p is constant, kept so the value reads as a KL
      penalty = replayTarget.mul(replayTarget.add(1e-30f).log().sub(logp.get("{}:", taskRows))).sum();
    } else {
      NDArray e = features.get("{}:", taskRows).normalize(2, -1, 1e-12);
      penalty = e.mul(replayTarget).sum(new int[] {1}).neg().add(1f).sum();
    }
    return total.add(Scalars.times(penalty, replay.penaltyWeight()));
  }
}
