package org.loradist.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
import org.loradist.weights.HostTensor;
import org.loradist.weights.SafetensorsWriter;

/** Small random BERTs for the LoRA tests: as parameter maps, or written as a Hugging Face model directory. */
public final class TinyModels {
  /** Hidden 32, 2 layers, 4 heads, the default tokenizer's vocabulary; no dropout of its own. */
  public static final EncoderConfig CONFIG =
      new EncoderConfig("bert", 30522, 32, 2, 4, 64, 64, 2, 1e-12f, "gelu", 0f, 0f, Pooling.MEAN);

  private TinyModels() {
  }

  public static Map<String, HostTensor> randomWeights(EncoderConfig config, long seed) {
    return randomWeights(config, seed, 0.2);
  }

  /** LayerNorm weights near 1, everything else near 0, off by normal noise of standard deviation {@code std}. */
  public static Map<String, HostTensor> randomWeights(EncoderConfig config, long seed, double std) {
    Random rnd = new Random(seed);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : BertEncoder.parameterShapes(config).entrySet()) {
      float[] v = new float[Math.toIntExact(HostTensor.elementCount(e.getValue()))];
      boolean lnWeight = e.getKey().endsWith("LayerNorm.weight");
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((lnWeight ? 1.0 : 0.0) + rnd.nextGaussian() * std);
      }
      out.put(e.getKey(), HostTensor.ofFloats(e.getValue(), v));
    }
    return out;
  }

  public static Map<String, NDArray> toArrays(NDManager manager, Map<String, HostTensor> weights) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    weights.forEach((k, v) -> out.put(k, manager.create(v.toFloats(), new Shape(v.shape()))));
    return out;
  }

  /** Writes config.json, model.safetensors and the default tokenizer.json into {@code dir}; returns it. */
  public static Path write(Path dir, EncoderConfig config, long seed) throws IOException {
    return write(dir, config, randomWeights(config, seed));
  }

  /** Writes config.json, model.safetensors of {@code weights} and the default tokenizer.json; returns {@code dir}. */
  public static Path write(Path dir, EncoderConfig config, Map<String, HostTensor> weights) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), config.toJson());
    SafetensorsWriter.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
    try (InputStream in = DefaultModel.open(DefaultModel.TOKENIZER_RESOURCE)) {
      Files.copy(in, dir.resolve("tokenizer.json"));
    }
    return dir;
  }
}
