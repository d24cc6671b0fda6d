package org.loradist.model;

/**
 * How a decoder continues a prompt.
 *
 * @param maxNewTokens at most this many tokens are added (fewer at EOS or at the model's last position)
 * @param greedy always the most likely token; otherwise sample from the temperature-scaled, top-k and top-p
 *     truncated distribution
 * @param temperature divides the logits before sampling (ignored when greedy)
 * @param topK keep the k most likely tokens, 0 for all
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (nucleus), 1 for all
 * @param seed the sampler's seed: the same seed, prompt and model give the same text
 * @param eosTokenId generation stops after this token; -1 never stops early
 * @param useCache keep keys and values between steps (the default); false recomputes the whole sequence per token,
 *     which gives the same tokens and is there to check that
 */
public record GenerationConfig(int maxNewTokens, boolean greedy, double temperature, int topK, double topP, long seed,
    int eosTokenId, boolean useCache) {

  public GenerationConfig {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
    }
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top-k must be >= 0 (0 = off), got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
    }
  }

  public static GenerationConfig greedy(int maxNewTokens, int eosTokenId) {
    return new GenerationConfig(maxNewTokens, true, 1.0, 0, 1.0, 0, eosTokenId, true);
  }

  /** Sampling with temperature 1, top-k 50 and top-p 0.95 (common defaults). */
  public static GenerationConfig sampling(int maxNewTokens, int eosTokenId, long seed) {
    return new GenerationConfig(maxNewTokens, false, 1.0, 50, 0.95, seed, eosTokenId, true);
  }

  public GenerationConfig withCache(boolean on) {
    return new GenerationConfig(maxNewTokens, greedy, temperature, topK, topP, seed, eosTokenId, on);
  }

  public GenerationConfig withSampling(double t, int k, double p) {
    return new GenerationConfig(maxNewTokens, false, t, k, p, seed, eosTokenId, useCache);
  }
}
