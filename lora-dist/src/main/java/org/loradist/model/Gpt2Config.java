package org.loradist.model;

import static org.loradist.model.ConfigJson.number;
import static org.loradist.model.ConfigJson.positive;
import static org.loradist.model.ConfigJson.probability;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The shape of a GPT-2-family decoder as its Hugging Face {@code config.json} gives it. Only what {@link Gpt2Model}
 * implements is accepted; anything else is refused naming the file and key.
 *
 * @param nInner MLP width (config's {@code n_inner}; null there means 4 · n_embd)
 * @param activation {@code gelu_new} (tanh approximation, GPT-2's) or {@code gelu} (exact erf form)
 * @param eosTokenId end of text; GPT-2 uses one id for BOS, EOS and (when one is needed) padding
 */
public record Gpt2Config(
    int vocabSize,
    int nPositions,
    int nEmbd,
    int nLayer,
    int nHead,
    int nInner,
    String activation,
    float layerNormEpsilon,
    float residPdrop,
    float embdPdrop,
    float attnPdrop,
    int bosTokenId,
    int eosTokenId) implements Serializable {

  public static final String MODEL_TYPE = "gpt2";
  /** Activations that are GELU's tanh approximation under Hugging Face's names, and the exact form. */
  public static final Set<String> TANH_GELU = Set.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast");
  public static final String EXACT_GELU = "gelu";

  public Gpt2Config {
    positive("vocab_size", vocabSize);
    positive("n_positions", nPositions);
    positive("n_embd", nEmbd);
    positive("n_layer", nLayer);
    positive("n_head", nHead);
    positive("n_inner", nInner);
    if (nEmbd % nHead != 0) {
      throw new IllegalArgumentException("n_embd " + nEmbd + " is not a multiple of n_head " + nHead);
    }
    if (!TANH_GELU.contains(activation) && !EXACT_GELU.equals(activation)) {
      throw new IllegalArgumentException("activation_function '" + activation + "' is not supported (gelu_new, "
          + "gelu_pytorch_tanh, gelu_fast or gelu)");
    }
    if (!(layerNormEpsilon > 0)) {
      throw new IllegalArgumentException("layer_norm_epsilon must be positive, got " + layerNormEpsilon);
    }
    probability("resid_pdrop", residPdrop);
    probability("embd_pdrop", embdPdrop);
    probability("attn_pdrop", attnPdrop);
    for (int id : new int[] {bosTokenId, eosTokenId}) {
      if (id < 0 || id >= vocabSize) {
        throw new IllegalArgumentException("bos/eos token id " + id + " is outside the vocabulary 0.." + (vocabSize - 1));
      }
    }
  }

  /** GPT-2 small's shape (124M parameters): what {@code gpt2} on the Hugging Face hub has. */
  public static Gpt2Config gpt2Small() {
    return new Gpt2Config(50257, 1024, 768, 12, 12, 3072, "gelu_new", 1e-5f, 0.1f, 0.1f, 0.1f, 50256, 50256);
  }

  /** A GPT-2 of the given size with GPT-2's other settings; EOS (and BOS) is the last id. */
  public static Gpt2Config of(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead, float dropout) {
    return new Gpt2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, 4 * nEmbd, "gelu_new", 1e-5f, dropout, dropout,
        dropout, vocabSize - 1, vocabSize - 1);
  }

  public int headSize() {
    return nEmbd / nHead;
  }

  public boolean tanhGelu() {
    return TANH_GELU.contains(activation);
  }

  public static Gpt2Config fromJson(Path configJson) throws IOException {
    if (!Files.isRegularFile(configJson)) {
      throw new IOException("model config not found: " + configJson);
    }
    return fromJson(Files.readString(configJson, StandardCharsets.UTF_8), configJson.toString());
  }

  /** Parses config.json text; {@code origin} names the file in every error. */
  public static Gpt2Config fromJson(String json, String origin) throws IOException {
    JsonObject o = ConfigJson.parseObject(json, origin);
    String type = o.has("model_type") ? o.get("model_type").getAsString() : null;
    if (!MODEL_TYPE.equals(type)) {
      throw new IOException(origin + ": model_type '" + type + "' is not " + MODEL_TYPE);
    }
    // variants of the attention that checkpoints may switch on and this architecture does not implement
    refuse(o, "scale_attn_by_inverse_layer_idx", true, origin);
    refuse(o, "reorder_and_upcast_attn", true, origin);
    refuse(o, "add_cross_attention", true, origin);
    refuse(o, "scale_attn_weights", false, origin);
    refuse(o, "tie_word_embeddings", false, origin);
    try {
      int vocab = integer(o, "vocab_size", origin, -1);
      int embd = integer(o, "n_embd", origin, -1);
      JsonElement inner = o.get("n_inner");
      int eos = integer(o, "eos_token_id", origin, vocab - 1);
      return new Gpt2Config(vocab,
          integer(o, "n_positions", origin, -1),
          embd,
          integer(o, "n_layer", origin, -1),
          integer(o, "n_head", origin, -1),
          inner == null || inner.isJsonNull() ? 4 * embd : integer(o, "n_inner", origin, -1),
          o.has("activation_function") ? o.get("activation_function").getAsString() : "gelu_new",
          (float) number(o, "layer_norm_epsilon", origin, 1e-5),
          (float) number(o, "resid_pdrop", origin, 0.1),
          (float) number(o, "embd_pdrop", origin, 0.1),
          (float) number(o, "attn_pdrop", origin, 0.1),
          integer(o, "bos_token_id", origin, eos),
          eos);
    } catch (IllegalArgumentException e) {
      throw new IOException(origin + ": " + e.getMessage(), e);
    }
  }

  /** Serialises to config.json keys (for writing a model directory). */
  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("model_type", MODEL_TYPE);
    JsonArray arch = new JsonArray();
    arch.add("GPT2LMHeadModel");
    o.add("architectures", arch);
    o.addProperty("vocab_size", vocabSize);
    o.addProperty("n_positions", nPositions);
    o.addProperty("n_ctx", nPositions);
    o.addProperty("n_embd", nEmbd);
    o.addProperty("n_layer", nLayer);
    o.addProperty("n_head", nHead);
    o.addProperty("n_inner", nInner);
    o.addProperty("activation_function", activation);
    o.addProperty("layer_norm_epsilon", layerNormEpsilon);
    o.addProperty("resid_pdrop", residPdrop);
    o.addProperty("embd_pdrop", embdPdrop);
    o.addProperty("attn_pdrop", attnPdrop);
    o.addProperty("bos_token_id", bosTokenId);
    o.addProperty("eos_token_id", eosTokenId);
    o.addProperty("scale_attn_weights", true);
    o.addProperty("tie_word_embeddings", true);
    return new GsonBuilder().setPrettyPrinting().create().toJson(o);
  }

  private static void refuse(JsonObject o, String key, boolean refusedValue, String origin) throws IOException {
    JsonElement e = o.get(key);
    if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && e.getAsBoolean() == refusedValue) {
      throw new IOException(origin + ": key '" + key + "' is " + refusedValue + "; this GPT-2 implementation "
          + "supports only " + !refusedValue);
    }
  }

  private static int integer(JsonObject o, String key, String origin, int dflt) throws IOException {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      if (dflt < 0) {
        throw new IOException(origin + ": key '" + key + "' is missing");
      }
      return dflt;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble())) {
      throw new IOException(origin + ": key '" + key + "' must be an integer, got " + e);
    }
    return e.getAsInt();
  }
}
