package org.loradist.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loradist.model.BertEncoder;
import org.loradist.model.ConfigJson;
import org.loradist.model.DefaultModel;
import org.loradist.model.EncoderConfig;
import org.loradist.model.Pooling;
import org.loradist.model.PretrainedModel;
import org.loradist.text.TextTokenizer;

/**
 * Loads an encoder checkpoint into a {@link PretrainedModel}, from one of two sources that give the same parameter
 * names: the default model (all-MiniLM-L6-v2's ONNX graph on the classpath) or a Hugging Face model directory
 * ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}, optional sentence-transformers
 * {@code 1_Pooling/config.json}). Everything is checked before use: missing, unexpected and mis-shaped tensors are
 * named together with the file, and the tokenizer's vocabulary must fit the embedding matrix.
 * Most callers want {@link ModelCache#get}, which loads each model once per JVM.
 */
public final class ModelLoader {
  /** The model path that means the default model. */
  public static final String DEFAULT_MODEL = "default";
  /** Embedding rows beyond the tokenizer's ids that a checkpoint may carry (vocabularies padded to a multiple). */
  static final int MAX_PADDED_ROWS = 128;

  private ModelLoader() {}

  /** {@code "default"} (or null/blank) for the default model, otherwise a Hugging Face model directory. */
  public static PretrainedModel load(String modelPath) throws IOException {
    if (modelPath == null || modelPath.isBlank() || modelPath.equals(DEFAULT_MODEL)) {
      return loadDefault();
    }
    return loadDirectory(Path.of(modelPath));
  }

  public static PretrainedModel loadDefault() throws IOException {
    String origin = "classpath:" + DefaultModel.ONNX_RESOURCE;
    byte[] onnx;
    try (InputStream in = DefaultModel.open(DefaultModel.ONNX_RESOURCE)) {
      onnx = in.readAllBytes();
    }
    Map<String, HostTensor> tensors;
    try {
      tensors = OnnxInitializers.toHuggingFace(OnnxInitializers.readGraph(ByteBuffer.wrap(onnx), origin), origin);
    } catch (IllegalStateException e) {
      throw new IOException(e.getMessage(), e);
    }
    EncoderConfig config = EncoderConfig.allMiniLmL6V2();
    int tokenizerSize;
    try (InputStream in = DefaultModel.open(DefaultModel.TOKENIZER_RESOURCE)) {
      tokenizerSize = tokenizerSize(in, "classpath:" + DefaultModel.TOKENIZER_RESOURCE);
    }
    checkVocabulary(tokenizerSize, "classpath:" + DefaultModel.TOKENIZER_RESOURCE, config, origin);
    return build(DEFAULT_MODEL, config, tensors, origin, new PretrainedModel.TokenizerSource(null));
  }

  public static PretrainedModel loadDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("model directory not found: " + dir);
    }
    Path configFile = required(dir, "config.json");
    Path weightsFile = required(dir, "model.safetensors");
    Path tokenizerFile = required(dir, "tokenizer.json");
    EncoderConfig config = EncoderConfig.fromJson(configFile, pooling(dir));

    Map<String, HostTensor> tensors = huggingFaceNames(SafetensorsReader.read(weightsFile).tensors());
    int tokenizerSize;
    try (InputStream in = Files.newInputStream(tokenizerFile)) {
      tokenizerSize = tokenizerSize(in, tokenizerFile.toString());
    }
    checkVocabulary(tokenizerSize, tokenizerFile.toString(), config, weightsFile.toString());
    // the tokenizer must also load in the native library, not only parse as JSON
    try (TextTokenizer ignored = TextTokenizer.fromFile(tokenizerFile, Math.min(8, config.maxPositionEmbeddings()))) {
      // loaded and released
    }
    return build(dir.toString(), config, tensors, weightsFile.toString(),
        new PretrainedModel.TokenizerSource(tokenizerFile));
  }

  private static Path required(Path dir, String name) throws IOException {
    Path p = dir.resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new IOException("model directory " + dir + " has no " + name + " (expected " + p + ")");
    }
    return p;
  }

  /** sentence-transformers records its pooling in 1_Pooling/config.json; without it, mean pooling. */
  static Pooling pooling(Path dir) throws IOException {
    Path p = dir.resolve("1_Pooling").resolve("config.json");
    if (!Files.isRegularFile(p)) {
      return Pooling.MEAN;
    }
    JsonObject o = ConfigJson.parseObject(Files.readString(p), p.toString());
    boolean cls = o.has("pooling_mode_cls_token") && o.get("pooling_mode_cls_token").getAsBoolean();
    boolean mean = o.has("pooling_mode_mean_tokens") && o.get("pooling_mode_mean_tokens").getAsBoolean();
    for (String other : new String[] {"pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens",
        "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"}) {
      if (o.has(other) && o.get(other).getAsBoolean()) {
        throw new IOException(p + ": key '" + other + "' is true; only mean or cls pooling is supported");
      }
    }
    if (cls == mean) {
      throw new IOException(p + ": exactly one of pooling_mode_mean_tokens and pooling_mode_cls_token must be true");
    }
    return cls ? Pooling.CLS : Pooling.MEAN;
  }

  /**
   * Drops the tensors BertModel checkpoints carry that an encoder does not use (the pooler, masked-LM heads, the
   * position_ids buffer) and a leading "bert." (checkpoints saved from BertFor* classes).
   */
  static Map<String, HostTensor> huggingFaceNames(Map<String, HostTensor> file) {
    boolean prefixed = file.keySet().stream().anyMatch(n -> n.startsWith("bert.embeddings."));
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : file.entrySet()) {
      String name = e.getKey();
      if (prefixed && name.startsWith("bert.")) {
        name = name.substring(5);
      }
      if (name.startsWith("pooler.") || name.startsWith("cls.") || name.endsWith(".position_ids")) {
        continue;
      }
      out.put(name, e.getValue());
    }
    return out;
  }

  /** Refuses a checkpoint whose tensors are not exactly the architecture's: names, shapes, float types. */
  static void requireShapes(Map<String, long[]> expected, Map<String, HostTensor> tensors, Object origin)
      throws IOException {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      HostTensor t = tensors.get(e.getKey());
      if (t == null) {
        problems.add("missing tensor '" + e.getKey() + "'");
      } else if (!Arrays.equals(t.shape(), e.getValue())) {
        problems.add("tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape()) + ", the config needs "
            + Arrays.toString(e.getValue()));
      } else if (!t.type().isFloat()) {
        problems.add("tensor '" + e.getKey() + "' is " + t.type() + ", not a float type");
      }
    }
    for (String name : tensors.keySet()) {
      if (!expected.containsKey(name)) {
        problems.add("unexpected tensor '" + name + "'");
      }
    }
    if (!problems.isEmpty()) {
      throw new IOException(origin + " does not match its config: " + String.join("; ", problems));
    }
  }

  /** The checked tensors as named NDArrays of {@code manager}, in the architecture's order. */
  static Map<String, NDArray> toNDArrays(Map<String, long[]> expected, Map<String, HostTensor> tensors,
      NDManager manager) {
    Map<String, NDArray> params = new LinkedHashMap<>();
    for (String name : expected.keySet()) {
      NDArray a = tensors.get(name).toNDArray(manager);
      a.setName(name);
      params.put(name, a);
    }
    return params;
  }

  private static PretrainedModel build(String id, EncoderConfig config, Map<String, HostTensor> tensors,
      String origin, PretrainedModel.TokenizerSource tokenizer) throws IOException {
    Map<String, long[]> expected = BertEncoder.parameterShapes(config);
    requireShapes(expected, tensors, origin);
    NDManager manager = NDManager.newBaseManager();
    try {
      Map<String, NDArray> params = toNDArrays(expected, tensors, manager);
      return new PretrainedModel(id, config, params, manager, tokenizer);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The tokenizer's id range: 1 + the largest id in its model vocabulary and added tokens. */
  static int tokenizerSize(InputStream tokenizerJson, String origin) throws IOException {
    JsonObject root;
    try (Reader r = new InputStreamReader(tokenizerJson, StandardCharsets.UTF_8)) {
      JsonElement e = JsonParser.parseReader(r);
      if (!e.isJsonObject()) {
        throw new IOException(origin + ": not a tokenizer.json (not a JSON object)");
      }
      root = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(origin + ": not valid JSON (" + e.getMessage() + ")", e);
    }
    if (!root.has("model") || !root.get("model").isJsonObject() || !root.getAsJsonObject("model").has("vocab")) {
      throw new IOException(origin + ": key 'model.vocab' is missing; not a tokenizer.json");
    }
    JsonElement vocab = root.getAsJsonObject("model").get("vocab");
    long maxId = -1;
    if (vocab.isJsonObject()) { // WordPiece / BPE: token -> id
      for (Map.Entry<String, JsonElement> t : vocab.getAsJsonObject().entrySet()) {
        maxId = Math.max(maxId, t.getValue().getAsLong());
      }
    } else if (vocab.isJsonArray()) { // Unigram: [token, score] in id order
      maxId = vocab.getAsJsonArray().size() - 1;
    } else {
      throw new IOException(origin + ": key 'model.vocab' is neither an object nor a list");
    }
    if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
      for (JsonElement t : root.getAsJsonArray("added_tokens")) {
        if (t.isJsonObject() && t.getAsJsonObject().has("id")) {
          maxId = Math.max(maxId, t.getAsJsonObject().get("id").getAsLong());
        }
      }
    }
    return Math.toIntExact(maxId + 1);
  }

  private static void checkVocabulary(int tokenizerSize, String tokenizerOrigin, EncoderConfig config,
      String weightsOrigin) throws IOException {
    int rows = config.vocabSize();
    if (tokenizerSize > rows || tokenizerSize < rows - MAX_PADDED_ROWS) {
      throw new IOException("tokenizer " + tokenizerOrigin + " has ids 0.." + (tokenizerSize - 1)
          + " but the embedding matrix embeddings.word_embeddings.weight of " + weightsOrigin + " has " + rows
          + " rows (vocab_size): the tokenizer does not belong to this model");
    }
  }
}
