package org.loradist.model;

import static org.loradist.model.ConfigJson.number;
import static org.loradist.model.ConfigJson.positive;
import static org.loradist.model.ConfigJson.probability;
import static org.loradist.model.ConfigJson.string;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The shape of a BERT-family encoder, as a Hugging Face {@code config.json} gives it. Only what the
 * architecture in {@link BertEncoder} implements is accepted; anything else is refused naming the file and key.
 */
public record EncoderConfig(
    String modelType,
    int vocabSize,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int intermediateSize,
    int maxPositionEmbeddings,
    int typeVocabSize,
    float layerNormEps,
    String hiddenAct,
    float hiddenDropoutProb,
    float attentionDropoutProb,
    Pooling pooling) {

  /** model_type values whose checkpoints use exactly BertModel's layout and parameter names. */
  public static final Set<String> SUPPORTED_MODEL_TYPES = Set.of("bert");

  public EncoderConfig {
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    positive("type_vocab_size", typeVocabSize);
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads "
          + numAttentionHeads);
    }
    if (!(layerNormEps > 0)) {
      throw new IllegalArgumentException("layer_norm_eps must be positive, got " + layerNormEps);
    }
    probability("hidden_dropout_prob", hiddenDropoutProb);
    probability("attention_probs_dropout_prob", attentionDropoutProb);
    if (!"gelu".equals(hiddenAct)) {
      throw new IllegalArgumentException("hidden_act '" + hiddenAct + "' is not supported (only 'gelu', the exact erf form)");
    }
    if (pooling == null) {
      throw new IllegalArgumentException("pooling must be set");
    }
  }

  /** all-MiniLM-L6-v2, whose ONNX graph carries no config.json. */
  public static EncoderConfig allMiniLmL6V2() {
    return new EncoderConfig("bert", 30522, 384, 6, 12, 1536, 512, 2, 1e-12f, "gelu", 0.1f, 0.1f, Pooling.MEAN);
  }

  public int headSize() {
    return hiddenSize / numAttentionHeads;
  }

  public EncoderConfig withPooling(Pooling p) {
    return new EncoderConfig(modelType, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
        maxPositionEmbeddings, typeVocabSize, layerNormEps, hiddenAct, hiddenDropoutProb, attentionDropoutProb, p);
  }

  /** Reads a Hugging Face config.json; {@code pooling} comes from elsewhere (sentence-transformers' 1_Pooling). */
  public static EncoderConfig fromJson(Path configJson, Pooling pooling) throws IOException {
    if (!Files.isRegularFile(configJson)) {
      throw new IOException("model config not found: " + configJson);
    }
    String text = Files.readString(configJson, StandardCharsets.UTF_8);
    return fromJson(text, configJson.toString(), pooling);
  }

  /** Parses config.json text; {@code origin} names the file in every error. */
  public static EncoderConfig fromJson(String json, String origin, Pooling pooling) throws IOException {
    JsonObject o = ConfigJson.parseObject(json, origin);
    String modelType = string(o, "model_type", origin, null);
    if (!SUPPORTED_MODEL_TYPES.contains(modelType)) {
      throw new IOException(origin + ": model_type '" + modelType + "' is not supported (supported: "
          + SUPPORTED_MODEL_TYPES + ")");
    }
    String positionType = string(o, "position_embedding_type", origin, "absolute");
    if (!positionType.equals("absolute")) {
      throw new IOException(origin + ": position_embedding_type '" + positionType + "' is not supported (only 'absolute')");
    }
    if (o.has("is_decoder") && o.get("is_decoder").getAsBoolean()) {
      throw new IOException(origin + ": is_decoder is true; only encoders are supported");
    }
    try {
      return new EncoderConfig(modelType,
          integer(o, "vocab_size", origin),
          integer(o, "hidden_size", origin),
          integer(o, "num_hidden_layers", origin),
          integer(o, "num_attention_heads", origin),
          integer(o, "intermediate_size", origin),
          integer(o, "max_position_embeddings", origin),
          o.has("type_vocab_size") ? integer(o, "type_vocab_size", origin) : 2,
          (float) number(o, "layer_norm_eps", origin, 1e-12),
          string(o, "hidden_act", origin, "gelu"),
          (float) number(o, "hidden_dropout_prob", origin, 0.1),
          (float) number(o, "attention_probs_dropout_prob", origin, 0.1),
          pooling);
    } catch (IllegalArgumentException e) {
      throw new IOException(origin + ": " + e.getMessage(), e);
    }
  }

  private static int integer(JsonObject o, String key, String origin) throws IOException {
    double v = number(o, key, origin, Double.NaN);
    if (v != Math.rint(v) || v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw new IOException(origin + ": key '" + key + "' must be an integer, got " + o.get(key));
    }
    return (int) v;
  }

  /** Serialises to config.json keys (for writing a model directory). */
  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("model_type", modelType);
    com.google.gson.JsonArray arch = new com.google.gson.JsonArray();
    arch.add("BertModel");
    o.add("architectures", arch);
    o.addProperty("vocab_size", vocabSize);
    o.addProperty("hidden_size", hiddenSize);
    o.addProperty("num_hidden_layers", numHiddenLayers);
    o.addProperty("num_attention_heads", numAttentionHeads);
    o.addProperty("intermediate_size", intermediateSize);
    o.addProperty("max_position_embeddings", maxPositionEmbeddings);
    o.addProperty("type_vocab_size", typeVocabSize);
    o.addProperty("layer_norm_eps", layerNormEps);
    o.addProperty("hidden_act", hiddenAct);
    o.addProperty("hidden_dropout_prob", hiddenDropoutProb);
    o.addProperty("attention_probs_dropout_prob", attentionDropoutProb);
    o.addProperty("position_embedding_type", "absolute");
    return new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o);
  }
}
