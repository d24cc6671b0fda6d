package org.loradist.jobs.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code _manifest.json} of an output folder: what made it (command, config, versions), from what (input
 * fingerprint), how much (counts that add up) and how long (timings per step).
 */
public final class Manifest {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Object> root = new LinkedHashMap<>();
  private final Map<String, Object> counts = new LinkedHashMap<>();
  private final Map<String, Object> timings = new LinkedHashMap<>();
  private final long startNanos = System.nanoTime();
  private long lapNanos = startNanos;

  public Manifest(String command, Map<String, Object> config, String inputFingerprint) {
    root.put("command", command);
    root.put("started", Instant.now().toString());
    root.put("input_fingerprint", inputFingerprint);
    root.put("config", config);
    root.put("counts", counts);
    root.put("timings_s", timings);
    root.put("versions", Versions.all());
  }

  public Manifest count(String name, Object value) {
    counts.put(name, value);
    return this;
  }

  public Manifest put(String name, Object value) {
    root.put(name, value);
    return this;
  }

  /** Records the seconds since the previous lap (or the start) under {@code step}. */
  public Manifest lap(String step) {
    long now = System.nanoTime();
    timings.put(step, Math.round((now - lapNanos) / 1e6) / 1e3);
    lapNanos = now;
    return this;
  }

  public String toJson() {
    timings.put("total", Math.round((System.nanoTime() - startNanos) / 1e6) / 1e3);
    root.put("finished", Instant.now().toString());
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("manifest is not serialisable: " + e.getMessage(), e);
    }
  }

  public static Map<String, Object> read(String json) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = JSON.readValue(json, Map.class);
      return m;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a manifest: " + e.getMessage(), e);
    }
  }
}
