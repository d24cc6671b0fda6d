package org.loradist.pipelines.adapt;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.loradist.lora.PeftFormat;
import org.loradist.model.DefaultModel;

/**
 * What an adapter directory says about itself, read on the driver before any task starts: its task and labels (from
 * the trainer's {@code lora_dist.json} sidecar), the base model it was trained on, and a content hash of its PEFT
 * files. {@link #id()} is what the {@code adapter} column of embeddings and predictions holds:
 * {@code <absolute dir>@sha256:<first 16 hex of the hash of adapter_config.json + adapter_model.safetensors>}, so a
 * reader can find the adapter again and tell whether its files changed since.
 *
 * @param task "classification" or "retrieval"
 * @param modelPath the base as the trainer was given it: "default" or a model directory
 * @param maxTokens the truncation the adapter was trained with
 */
public record AdapterInfo(String dir, String task, List<String> labels, String modelPath, int maxTokens,
    String contentHash) implements Serializable {
  public static final String CLASSIFICATION = "classification";
  public static final String RETRIEVAL = "retrieval";
  public static final String SIDECAR = "lora_dist.json";
  private static final String HASH_MARK = "@sha256:";

  public AdapterInfo {
    labels = List.copyOf(labels);
  }

  /** Reads {@code dir}; every failure names the directory and the file at fault. */
  public static AdapterInfo read(String dir) throws IOException {
    Path d = Path.of(dir).toAbsolutePath().normalize();
    if (!Files.isDirectory(d)) {
      throw new IOException("adapter directory not found: " + dir);
    }
    for (String f : List.of(PeftFormat.CONFIG_FILE, PeftFormat.WEIGHTS_FILE, SIDECAR)) {
      if (!Files.isRegularFile(d.resolve(f))) {
        throw new IOException("adapter directory " + dir + " has no " + f
            + (f.equals(SIDECAR) ? " (the lora-dist trainer writes it: task, labels, base model)" : ""));
      }
    }
    JsonObject o;
    try {
      JsonElement e = JsonParser.parseString(Files.readString(d.resolve(SIDECAR), StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new IOException(d.resolve(SIDECAR) + ": not a JSON object");
      }
      o = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(d.resolve(SIDECAR) + ": not valid JSON (" + e.getMessage() + ")", e);
    }
    String task = o.has("task") ? o.get("task").getAsString() : "";
    if (!task.equals(CLASSIFICATION) && !task.equals(RETRIEVAL)) {
      throw new IOException(d.resolve(SIDECAR) + ": task '" + task + "' is not classification or retrieval");
    }
    List<String> labels = new ArrayList<>();
    if (o.has("labels")) {
      o.getAsJsonArray("labels").forEach(l -> labels.add(l.getAsString()));
    }
    if (task.equals(CLASSIFICATION) && labels.size() < 2) {
      throw new IOException(d.resolve(SIDECAR) + ": a classification adapter needs its labels, found " + labels);
    }
    String model = o.has("model_path") ? o.get("model_path").getAsString() : "default";
    int maxTokens = o.has("max_tokens") ? o.get("max_tokens").getAsInt() : DefaultModel.DEFAULT_MAX_TOKENS;
    return new AdapterInfo(d.toString(), task, labels, model, maxTokens, hash(d));
  }

  private static String hash(Path d) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String f : List.of(PeftFormat.CONFIG_FILE, PeftFormat.WEIGHTS_FILE)) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(d.resolve(f)), md)) {
          in.transferTo(java.io.OutputStream.nullOutputStream());
        }
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public boolean classifies() {
    return task.equals(CLASSIFICATION);
  }

  /** The value of the {@code adapter} column. */
  public String id() {
    return dir + HASH_MARK + contentHash;
  }

  /** The directory part of an {@link #id()} (the whole string when it has no hash). */
  public static String dirOf(String id) {
    int at = id.lastIndexOf(HASH_MARK);
    return at < 0 ? id : id.substring(0, at);
  }

  /** The hash part of an {@link #id()}, or "" when it has none. */
  public static String hashOf(String id) {
    int at = id.lastIndexOf(HASH_MARK);
    return at < 0 ? "" : id.substring(at + HASH_MARK.length());
  }
}
