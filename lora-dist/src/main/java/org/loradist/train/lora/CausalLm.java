package org.loradist.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.loradist.model.DecoderBatches;
import org.loradist.model.ForwardContext;
import org.loradist.model.Gpt2Model;
import org.loradist.text.TextTokenizer;

/**
 * The causal-LM loss on prompt/response sequences, shared by the trainer's replica and the benchmark.
 *
 * <p>A sequence is {@code prompt tokens, response tokens, EOS}; position t predicts token t + 1, and only the
 * predictions of response tokens and EOS count. Each example's loss is the mean over its own targets, so every
 * example weighs the same whatever its length; that keeps the sum over workers exact without knowing the global
 * token count (Hugging Face's token-mean would need one more all-gather per micro-batch). The LM head runs only
 * on the positions that have a target: on prompt-heavy data that is most of the [tokens, vocab] logits saved.
 */
public final class CausalLm {
  private CausalLm() {
  }

  /**
   * @param ids prompt, response and (when it fits) EOS
   * @param promptTokens how many leading ids are prompt: the targets are ids[promptTokens ..]
   */
  public record Sequence(long[] ids, int promptTokens) {
    public Sequence {
      if (promptTokens < 1 || promptTokens >= ids.length) {
        throw new IllegalArgumentException("a sequence needs >= 1 prompt token and >= 1 target, got "
            + promptTokens + " of " + ids.length);
      }
    }

    public int targets() {
      return ids.length - promptTokens;
    }
  }

  /**
   * Tokenizes one example. A blank prompt becomes BOS alone. When the whole does not fit in {@code maxTokens}, the
   * response keeps its start (up to what is left after at most half the budget for the prompt) and the prompt its
   * end, so the tokens right before the response are always there; EOS is kept only when the response fits whole.
   */
  public static Sequence encode(TextTokenizer tokenizer, String prompt, String response, int bosId, int eosId,
      int maxTokens) {
    long[] p = prompt.isEmpty() ? new long[] {bosId} : tokenizer.encodeContent(prompt).ids();
    if (p.length == 0) {
      p = new long[] {bosId};
    }
    long[] r = tokenizer.encodeContent(response).ids();
    long[] target = Arrays.copyOf(r, r.length + 1);
    target[r.length] = eosId;
    int targetBudget = Math.min(target.length, maxTokens - Math.min(p.length, maxTokens / 2));
    int promptBudget = Math.min(p.length, maxTokens - targetBudget);
    long[] ids = new long[promptBudget + targetBudget];
    System.arraycopy(p, p.length - promptBudget, ids, 0, promptBudget);
    System.arraycopy(target, 0, ids, promptBudget, targetBudget);
    return new Sequence(ids, promptBudget);
  }

  /** Flat positions (in a batch of width {@code width}) whose prediction is a target, example by example. */
  public static long[] predictingPositions(List<Sequence> seqs, int width) {
    long[] out = new long[seqs.stream().mapToInt(Sequence::targets).sum()];
    int k = 0;
    for (int i = 0; i < seqs.size(); i++) {
      Sequence s = seqs.get(i);
      for (int t = s.promptTokens() - 1; t < s.ids().length - 1; t++) {
        out[k++] = (long) i * width + t;
      }
    }
    return out;
  }

  /** The target ids, in {@link #predictingPositions} order. */
  public static long[] targets(List<Sequence> seqs) {
    long[] out = new long[seqs.stream().mapToInt(Sequence::targets).sum()];
    int k = 0;
    for (Sequence s : seqs) {
      for (int t = s.promptTokens(); t < s.ids().length; t++) {
        out[k++] = s.ids()[t];
      }
    }
    return out;
  }

  /** 1 / (the example's target count) for each target: summing weighted token losses gives per-example means. */
  public static float[] exampleMeanWeights(List<Sequence> seqs) {
    float[] out = new float[seqs.stream().mapToInt(Sequence::targets).sum()];
    int k = 0;
    for (Sequence s : seqs) {
      Arrays.fill(out, k, k + s.targets(), 1f / s.targets());
      k += s.targets();
    }
    return out;
  }

  /** Log-probabilities [n, vocab] of the next token at every target-predicting position of {@code seqs}. */
  public static NDArray targetLogProbs(Gpt2Model model, NDManager m, List<Sequence> seqs, ForwardContext ctx) {
    NDArray ids = DecoderBatches.paddedIds(m, seqs.stream().map(Sequence::ids).toList(),
        model.config().eosTokenId());
    int width = Math.toIntExact(ids.getShape().get(1));
    NDArray hidden = model.hiddenStates(ids, null, ctx);
    return model.logits(DecoderBatches.rowsAt(hidden, predictingPositions(seqs, width))).logSoftmax(-1);
  }

  /** Sum over examples of each example's mean cross-entropy, from {@link #targetLogProbs}: a scalar. */
  public static NDArray crossEntropySum(NDArray logProbs, List<Sequence> seqs) {
    NDManager m = logProbs.getManager();
    long[] t = targets(seqs);
    NDArray picked = logProbs.gather(m.create(t, new Shape(t.length, 1)), 1).reshape(t.length);
    return picked.mul(m.create(exampleMeanWeights(seqs))).sum().neg();
  }

  /** Total tokens of the sequences (what a tokens/s figure counts). */
  public static long tokens(List<Sequence> seqs) {
    return seqs.stream().mapToLong(s -> s.ids().length).sum();
  }
}
