package org.loradist.weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.loradist.lora.TinyModels;
import org.loradist.model.EncoderConfig;
import org.loradist.model.Pooling;

/**
 * A small random BERT written in Hugging Face layout, with the default model's tokenizer (vocab 30522): the loader
 * tests' variant of {@link TinyModels} (with dropout, and noise of std 0.1).
 */
final class TinyBert {
  static final EncoderConfig CONFIG =
      new EncoderConfig("bert", 30522, 32, 2, 4, 64, 64, 2, 1e-12f, "gelu", 0.1f, 0.1f, Pooling.MEAN);

  private TinyBert() {}

  /** Random weights as a BertModel checkpoint would hold them (LayerNorm near 1/0, matrices small). */
  static Map<String, HostTensor> randomWeights(EncoderConfig config, long seed) {
    return TinyModels.randomWeights(config, seed, 0.1);
  }

  /** Writes config.json, model.safetensors and tokenizer.json into {@code dir}. */
  static void write(Path dir, EncoderConfig config, Map<String, HostTensor> weights) throws IOException {
    TinyModels.write(dir, config, weights);
  }
}
