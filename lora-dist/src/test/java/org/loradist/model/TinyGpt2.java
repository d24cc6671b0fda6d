package org.loradist.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.loradist.weights.HostTensor;
import org.loradist.weights.SafetensorsWriter;

/** Small random GPT-2s written in Hugging Face layout, with a byte-level BPE tokenizer learnt from given texts. */
public final class TinyGpt2 {
  /** Merges of the tiny tokenizer: vocabulary 256 + 255 + EOS = 512. */
  public static final int MERGES = 255;

  /** 512 tokens, 128 positions, width 32, 2 layers of 4 heads, no dropout of its own. */
  public static final Gpt2Config CONFIG = Gpt2Config.of(ByteLevelBpe.vocabSize(MERGES), 128, 32, 2, 4, 0f);

  public static final List<String> TEXTS = List.of(
      "a fast library for parsing configuration files",
      "the game of chess with a graphical board",
      "a simple text editor for the console, written in C",
      "Python bindings for the kernel's crypto interface",
      "fonts with wide coverage of Unicode scripts: Latin, Greek, Cyrillic",
      "tools to test and debug network protocols");

  private TinyGpt2() {
  }

  /** Random weights as GPT-2 initialises them (normal, std {@code std}; LayerNorm 1 / 0; biases 0). */
  public static Map<String, HostTensor> randomWeights(Gpt2Config config, long seed, double std) {
    Random rnd = new Random(seed);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : Gpt2Model.parameterShapes(config).entrySet()) {
      float[] v = new float[Math.toIntExact(HostTensor.elementCount(e.getValue()))];
      String name = e.getKey();
      boolean lnWeight = name.contains("ln_") && name.endsWith(".weight");
      boolean bias = name.endsWith(".bias");
      for (int i = 0; i < v.length; i++) {
        v[i] = lnWeight ? 1f : (float) (rnd.nextGaussian() * (bias ? std / 4 : std));
      }
      out.put(name, HostTensor.ofFloats(e.getValue(), v));
    }
    return out;
  }

  /**
   * Writes config.json, model.safetensors (names under "transformer.", as GPT2LMHeadModel saves them, plus the
   * attention mask buffers old checkpoints carry) and tokenizer.json learnt from {@code texts}; returns {@code dir}.
   */
  public static Path write(Path dir, Gpt2Config config, long seed, List<String> texts) throws IOException {
    if (config.vocabSize() != ByteLevelBpe.vocabSize(MERGES)) {
      throw new IllegalArgumentException("the tiny tokenizer has " + ByteLevelBpe.vocabSize(MERGES) + " ids");
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), config.toJson());
    Map<String, HostTensor> file = new LinkedHashMap<>();
    randomWeights(config, seed, 0.2).forEach((k, v) -> file.put("transformer." + k, v));
    int n = config.nPositions();
    file.put("transformer.h.0.attn.bias", HostTensor.ofFloats(new long[] {1, 1, n, n}, new float[n * n]));
    SafetensorsWriter.write(dir.resolve("model.safetensors"), file, Map.of("format", "pt"));
    Files.writeString(dir.resolve("tokenizer.json"), ByteLevelBpe.train(texts, MERGES));
    return dir;
  }
}
