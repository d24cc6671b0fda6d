package org.loradist.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which architecture a model directory holds, from {@code config.json}'s {@code model_type}: {@code bert} is
 * {@link BertEncoder} (loaded by {@code ModelLoader}), {@code gpt2} is {@link Gpt2Model} (loaded by
 * {@code Gpt2Loader}); the cache ({@code ModelCache.get} / {@code getDecoder}) serves both.
 */
public enum ModelArchitecture {
  BERT("bert"),
  GPT2(Gpt2Config.MODEL_TYPE);

  private final String modelType;

  ModelArchitecture(String modelType) {
    this.modelType = modelType;
  }

  public String modelType() {
    return modelType;
  }

  public boolean isDecoder() {
    return this == GPT2;
  }

  /**
   * {@code "default"} (or blank) is the bundled MiniLM, a BERT; otherwise {@code modelPath} is a Hugging Face model
   * directory and its config.json decides.
   *
   * @throws IOException one line naming the file and the unsupported or missing model_type
   */
  public static ModelArchitecture of(String modelPath) throws IOException {
    if (modelPath == null || modelPath.isBlank() || modelPath.equals("default")) {
      return BERT;
    }
    Path config = Path.of(modelPath).resolve("config.json");
    if (!Files.isRegularFile(config)) {
      throw new IOException(Files.isDirectory(Path.of(modelPath)) ? "model directory " + modelPath
          + " has no config.json" : "model directory not found: " + modelPath);
    }
    JsonObject o = ConfigJson.parseObject(Files.readString(config, StandardCharsets.UTF_8), config.toString());
    JsonElement type = o.get("model_type");
    if (type == null || !type.isJsonPrimitive()) {
      throw new IOException(config + ": key 'model_type' is missing (supported: bert, gpt2)");
    }
    String t = type.getAsString().toLowerCase(Locale.ROOT);
    for (ModelArchitecture a : values()) {
      if (a.modelType.equals(t)) {
        return a;
      }
    }
    throw new IOException(config + ": model_type '" + type.getAsString() + "' is not supported (supported: bert, gpt2)");
  }
}
