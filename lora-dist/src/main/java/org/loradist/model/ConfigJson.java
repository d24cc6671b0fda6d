package org.loradist.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;

/**
 * Reading the JSON files next to weights (config.json, adapter_config.json): the object and its typed keys, every
 * error naming the file ({@code origin}) and the key. One place, so model and adapter configs refuse alike.
 */
public final class ConfigJson {
  private ConfigJson() {}

  /** {@code json} as an object, or an IOException saying it is not valid JSON or not an object. */
  public static JsonObject parseObject(String json, String origin) throws IOException {
    try {
      JsonElement e = JsonParser.parseString(json);
      if (!e.isJsonObject()) {
        throw new IOException(origin + ": not a JSON object");
      }
      return e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(origin + ": not valid JSON (" + e.getMessage() + ")", e);
    }
  }

  /** The string at {@code key}; {@code dflt} when absent or null, which a null {@code dflt} refuses. */
  public static String string(JsonObject o, String key, String origin, String dflt) throws IOException {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      if (dflt == null) {
        throw new IOException(origin + ": key '" + key + "' is missing");
      }
      return dflt;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new IOException(origin + ": key '" + key + "' must be a string, got " + e);
    }
    return e.getAsString();
  }

  /** The number at {@code key}; {@code dflt} when absent or null, which a NaN {@code dflt} refuses. */
  public static double number(JsonObject o, String key, String origin, double dflt) throws IOException {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      if (Double.isNaN(dflt)) {
        throw new IOException(origin + ": key '" + key + "' is missing");
      }
      return dflt;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new IOException(origin + ": key '" + key + "' must be a number, got " + e);
    }
    return e.getAsDouble();
  }

  /** The range checks of the config records' constructors (callers add the file name). */
  static void positive(String key, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(key + " must be positive, got " + v);
    }
  }

  static void probability(String key, float p) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException(key + " must be in [0, 1), got " + p);
    }
  }
}
