package org.loradist.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loradist.model.Gpt2Config;
import org.loradist.model.Gpt2Model;
import org.loradist.model.PretrainedDecoder;
import org.loradist.model.PretrainedModel;
import org.loradist.text.TextTokenizer;

/**
 * Loads a GPT-2 checkpoint from a Hugging Face model directory ({@code config.json}, {@code model.safetensors},
 * {@code tokenizer.json}) into a {@link PretrainedDecoder}. Tensors are checked against the config before anything
 * is allocated: missing, unexpected and mis-shaped ones are named together with the file. Most callers want
 * {@link ModelCache#getDecoder}, which loads each model once per JVM.
 */
public final class Gpt2Loader {
  private Gpt2Loader() {
  }

  public static PretrainedDecoder loadDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("model directory not found: " + dir);
    }
    Path configFile = required(dir, "config.json");
    Path weightsFile = required(dir, "model.safetensors");
    Path tokenizerFile = required(dir, "tokenizer.json");
    Gpt2Config config = Gpt2Config.fromJson(configFile);
    Map<String, HostTensor> tensors = huggingFaceNames(SafetensorsReader.read(weightsFile).tensors());

    int tokenizerSize;
    try (InputStream in = Files.newInputStream(tokenizerFile)) {
      tokenizerSize = ModelLoader.tokenizerSize(in, tokenizerFile.toString());
    }
    int rows = config.vocabSize();
    if (tokenizerSize > rows || tokenizerSize < rows - ModelLoader.MAX_PADDED_ROWS) {
      throw new IOException("tokenizer " + tokenizerFile + " has ids 0.." + (tokenizerSize - 1) + " but wte.weight of "
          + weightsFile + " has " + rows + " rows (vocab_size): the tokenizer does not belong to this model");
    }
    try (TextTokenizer ignored = TextTokenizer.fromFile(tokenizerFile, Math.min(8, config.nPositions()))) {
      // the tokenizer must load in the native library, not only parse as JSON
    }

    Map<String, long[]> expected = Gpt2Model.parameterShapes(config);
    ModelLoader.requireShapes(expected, tensors, weightsFile);
    NDManager manager = NDManager.newBaseManager();
    try {
      Map<String, NDArray> params = ModelLoader.toNDArrays(expected, tensors, manager);
      return new PretrainedDecoder(dir.toString(), config, params, manager,
          new PretrainedModel.TokenizerSource(tokenizerFile));
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * Our names from a checkpoint's: a leading {@code transformer.} goes (GPT2LMHeadModel and GPT2For* save the body
   * under it), as do the tied {@code lm_head.weight} (a copy of wte) and the attention's mask buffers
   * ({@code attn.bias}, {@code attn.masked_bias}) that older checkpoints carry.
   */
  static Map<String, HostTensor> huggingFaceNames(Map<String, HostTensor> file) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : file.entrySet()) {
      String name = e.getKey().startsWith("transformer.") ? e.getKey().substring("transformer.".length()) : e.getKey();
      if (name.equals("lm_head.weight") || name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")) {
        continue;
      }
      out.put(name, e.getValue());
    }
    return out;
  }

  private static Path required(Path dir, String name) throws IOException {
    Path p = dir.resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new IOException("model directory " + dir + " has no " + name + " (expected " + p + ")");
    }
    return p;
  }
}
