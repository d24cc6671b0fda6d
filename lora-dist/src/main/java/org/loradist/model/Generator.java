package org.loradist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Autoregressive decoding with a {@link Gpt2Model}: the prompt goes through once filling a {@link KvCache}, then
 * each new token costs one position. Token choice (argmax, or temperature / top-k / top-p sampling from a seeded
 * {@link SplittableRandom}) runs on the host over the last position's logits, so it is exact and reproducible.
 * One sequence at a time: no padding, positions are plain 0..n.
 */
public final class Generator {
  private Generator() {
  }

  /**
   * @param tokens the new tokens (EOS included when generation stopped at it)
   * @param stepLogits the logits each token was chosen from, when asked for
   */
  public record Result(long[] tokens, boolean stoppedAtEos, List<float[]> stepLogits) {
  }

  public static Result generate(Gpt2Model model, long[] prompt, GenerationConfig config, boolean keepLogits) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt has no tokens");
    }
    int positions = model.config().nPositions();
    if (prompt.length >= positions) {
      throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the model has " + positions
          + " positions and needs one left to generate");
    }
    SplittableRandom rng = new SplittableRandom(config.seed());
    List<Long> sequence = new ArrayList<>();
    for (long t : prompt) {
      sequence.add(t);
    }
    List<float[]> logits = keepLogits ? new ArrayList<>() : null;
    List<Long> out = new ArrayList<>();
    boolean eos = false;
    try (NDManager manager = NDManager.newBaseManager();
        KvCache cache = config.useCache() ? new KvCache(model.config(), manager, 1) : null) {
      while (out.size() < config.maxNewTokens() && sequence.size() < positions) {
        // with a cache only the tokens it has not seen go in; without one the whole sequence, every step
        int from = cache == null ? 0 : cache.length();
        long[] ids = new long[sequence.size() - from];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = sequence.get(from + i);
        }
        float[] last;
        try (NDManager step = manager.newSubManager()) {
          NDArray hidden = model.hiddenStates(step.create(ids, new Shape(1, ids.length)), cache,
              ForwardContext.inference());
          last = model.logits(hidden.get(":, -1, :")).toFloatArray();
        }
        if (logits != null) {
          logits.add(last);
        }
        long next = config.greedy() ? argMax(last) : sample(last, config, rng);
        sequence.add(next);
        out.add(next);
        if (next == config.eosTokenId()) {
          eos = true;
          break;
        }
      }
    }
    return new Result(out.stream().mapToLong(Long::longValue).toArray(), eos, logits);
  }

  static int argMax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Temperature, then top-k, then top-p over what is left (Hugging Face's order), then one draw. */
  static int sample(float[] logits, GenerationConfig c, SplittableRandom rng) {
    Integer[] order = new Integer[logits.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Float.compare(logits[y], logits[x])); // stable: ties keep the lower id first
    int keep = c.topK() > 0 ? Math.min(c.topK(), order.length) : order.length;
    double max = logits[order[0]] / c.temperature();
    double[] p = new double[keep];
    double sum = 0;
    for (int i = 0; i < keep; i++) {
      p[i] = Math.exp(logits[order[i]] / c.temperature() - max);
      sum += p[i];
    }
    if (c.topP() < 1) {
      double cumulative = 0;
      int n = 0;
      while (n < keep) {
        cumulative += p[n] / sum;
        n++;
        if (cumulative >= c.topP()) {
          break;
        }
      }
      keep = n;
      sum = 0;
      for (int i = 0; i < keep; i++) {
        sum += p[i];
      }
    }
    double u = rng.nextDouble() * sum;
    for (int i = 0; i < keep; i++) {
      u -= p[i];
      if (u < 0) {
        return order[i];
      }
    }
    return order[keep - 1];
  }
}
