package org.loradist.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.loradist.model.BertEncoder;
import org.loradist.model.DefaultModel;
import org.loradist.model.EncoderConfig;
import org.loradist.model.Pooling;

/** A small random BERT written in Hugging Face layout, with the default model's tokenizer (vocab 30522). */
final class TinyBert {
  static final EncoderConfig CONFIG =
      new EncoderConfig("bert", 30522, 32, 2, 4, 64, 64, 2, 1e-12f, "gelu", 0.1f, 0.1f, Pooling.MEAN);

  private TinyBert() {}

  /** Random weights as a BertModel checkpoint would hold them (LayerNorm near 1/0, matrices small). */
  static Map<String, HostTensor> randomWeights(EncoderConfig config, long seed) {
    Random rnd = new Random(seed);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : BertEncoder.parameterShapes(config).entrySet()) {
      float[] v = new float[Math.toIntExact(HostTensor.elementCount(e.getValue()))];
      boolean lnWeight = e.getKey().endsWith("LayerNorm.weight");
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((lnWeight ? 1.0 : 0.0) + rnd.nextGaussian() * 0.1);
      }
      out.put(e.getKey(), HostTensor.ofFloats(e.getValue(), v));
    }
    return out;
  }

  /** Writes config.json, model.safetensors and tokenizer.json into {@code dir}. */
  static void write(Path dir, EncoderConfig config, Map<String, HostTensor> weights) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), config.toJson());
    SafetensorsWriter.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
    try (InputStream in = DefaultModel.open(DefaultModel.TOKENIZER_RESOURCE)) {
      Files.copy(in, dir.resolve("tokenizer.json"));
    }
  }
}
