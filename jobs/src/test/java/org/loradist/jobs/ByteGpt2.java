package org.loradist.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.loradist.model.Gpt2Config;
import org.loradist.model.Gpt2Model;
import org.loradist.weights.HostTensor;
import org.loradist.weights.SafetensorsWriter;

/**
 * A small random GPT-2 in Hugging Face layout, as a user's model directory would be: config.json,
 * model.safetensors and a byte-level tokenizer.json (GPT-2's 256 byte symbols and {@code <|endoftext|>}, no merges:
 * every byte is a token). No GPT-2 checkpoint can be downloaded here; the format and code paths are GPT-2's.
 */
final class ByteGpt2 {
  static final String EOS = "<|endoftext|>";

  private ByteGpt2() {}

  /** 257 tokens, {@code positions} positions, width {@code width}, 2 layers of 4 heads, no dropout. */
  static Gpt2Config config(int positions, int width) {
    return Gpt2Config.of(257, positions, width, 2, 4, 0f);
  }

  /** Writes the model directory {@code dir} with weights drawn as GPT-2 initialises them (std 0.2 here). */
  static Path write(Path dir, Gpt2Config config, long seed) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), config.toJson());
    Random rnd = new Random(seed);
    Map<String, HostTensor> weights = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : Gpt2Model.parameterShapes(config).entrySet()) {
      float[] v = new float[Math.toIntExact(HostTensor.elementCount(e.getValue()))];
      boolean lnWeight = e.getKey().contains("ln_") && e.getKey().endsWith(".weight");
      boolean bias = e.getKey().endsWith(".bias");
      for (int i = 0; i < v.length; i++) {
        v[i] = lnWeight ? 1f : (float) (rnd.nextGaussian() * (bias ? 0.05 : 0.2));
      }
      weights.put("transformer." + e.getKey(), HostTensor.ofFloats(e.getValue(), v));
    }
    SafetensorsWriter.write(dir.resolve("model.safetensors"), weights, Map.of("format", "pt"));
    Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
    return dir;
  }

  /** GPT-2's tokenizer.json layout with the 256 byte symbols ({@code bytes_to_unicode}) as the whole vocabulary. */
  static String tokenizerJson() {
    ObjectNode root = TrainExamples.JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ObjectNode eos = root.putArray("added_tokens").addObject();
    eos.put("id", 256).put("content", EOS).put("single_word", false).put("lstrip", false).put("rstrip", false)
        .put("normalized", true).put("special", true);
    root.putNull("normalizer");
    root.set("pre_tokenizer", byteLevel(false, true));
    root.set("post_processor", byteLevel(true, false));
    root.set("decoder", byteLevel(true, true));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout");
    model.putNull("unk_token");
    model.put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false)
        .put("byte_fallback", false);
    ObjectNode vocab = model.putObject("vocab");
    int next = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      vocab.put(String.valueOf(printable ? (char) b : (char) (256 + next++)), b);
    }
    vocab.put(EOS, 256);
    model.putArray("merges");
    return root.toPrettyString();
  }

  private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
    ObjectNode o = TrainExamples.JSON.createObjectNode();
    o.put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace).put("trim_offsets", trimOffsets)
        .put("use_regex", true);
    return o;
  }
}
