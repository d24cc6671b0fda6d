package org.loradist.jobs.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;

/**
 * For {@code lora-dist run}: is a stage's output (prep, embed, train) already complete for the same inputs and
 * settings? Those commands write their whole effective config and input fingerprint into the manifest, so the run
 * compares the keys that shape the stage's output with the current config, and the recorded fingerprint with the
 * inputs as they are now. Equal: skip. Different: refuse with one line naming what differs (the output is the
 * user's data; it is never replaced). writeback and eval record a job fingerprint and decide for themselves.
 */
public final class StageCheck {
  /** Stages that skip or refuse by their own job fingerprint ({@link OutputGuard}). */
  public static final Set<String> SELF_CHECKED = Set.of("writeback", "eval");
  /**
   * Keys of a stage that do not change what it writes (where and how parallel it runs, how often it saves, which of
   * two equal connected-components paths dedup takes).
   */
  private static final Set<String> NOT_SHAPING = Set.of("prep.output", "embed.output", "embed.chunks",
      "prep.dedup.local-components-max-edges", "train.output", "train.workers", "train.checkpoint-every",
      "train.keep-checkpoints");
  private static final ObjectMapper JSON = new ObjectMapper();

  private StageCheck() {}

  /** The settings that shape a stage's output: its own keys (less the above) and the run seed. */
  static Map<String, Object> shaping(String stage, Map<String, Object> config) {
    Map<String, Object> m = new TreeMap<>();
    for (Map.Entry<String, Object> e : config.entrySet()) {
      String k = e.getKey();
      if ((k.startsWith(stage + ".") && !NOT_SHAPING.contains(k)) || (k.equals("run.seed") && !stage.equals("embed"))) {
        m.put(k, e.getValue());
      }
    }
    return normalised(m);
  }

  /** Through JSON and back, so that a config and a manifest compare alike (numbers, lists). */
  private static Map<String, Object> normalised(Map<String, Object> m) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> back = JSON.readValue(JSON.writeValueAsString(m), TreeMap.class);
      return back;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * True when {@code dir} holds a complete {@code stage} output of these inputs and settings; false when there is
   * nothing there (or an empty folder). Anything else is refused with one line.
   */
  public static boolean alreadyComplete(String stage, String dir, List<String> inputs, JobConfig config,
      Configuration hadoop) {
    try {
      Map<String, Object> manifest = ExistingOutput.manifest(dir, hadoop,
          "remove it or set " + stage + ".output to a new folder");
      if (manifest == null) {
        return false;
      }
      if (!stage.equals(manifest.get("command")) || !(manifest.get("config") instanceof Map<?, ?> recordedConfig)) {
        throw new ConfigException("output " + dir + " is not a " + stage + " output; refusing to overwrite it");
      }
      List<String> differences = new ArrayList<>();
      @SuppressWarnings("unchecked")
      Map<String, Object> recorded = shaping(stage, (Map<String, Object>) recordedConfig);
      Map<String, Object> now = shaping(stage, config.effective());
      for (String k : now.keySet()) {
        if (!Objects.equals(recorded.get(k), now.get(k))) {
          differences.add(k + ": " + recorded.get(k) + " -> " + now.get(k));
        }
      }
      if (!Objects.equals(manifest.get("input_fingerprint"), InputFingerprint.of(inputs, hadoop))) {
        differences.add(0, "its input files changed");
      }
      if (differences.isEmpty()) {
        return true;
      }
      throw new ConfigException(dir + " holds a complete " + stage + " output of other inputs or settings ("
          + String.join("; ", differences.subList(0, Math.min(3, differences.size())))
          + (differences.size() > 3 ? "; ..." : "") + "); refusing to overwrite it: set " + stage
          + ".output to a new folder (or remove it)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot inspect output " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The manifest's "finished" time of a complete output, or null: tells whether a stage wrote anything. */
  public static String finished(String dir, Configuration hadoop) {
    Object f = manifestField(dir, "finished", hadoop);
    return f == null ? null : f.toString();
  }

  public static Object manifestField(String dir, String field, Configuration hadoop) {
    try {
      if (!AtomicOutput.isComplete(dir, hadoop)) {
        return null;
      }
      Path p = new Path(dir, AtomicOutput.MANIFEST);
      FileSystem fs = p.getFileSystem(hadoop);
      return fs.exists(p) ? ExistingOutput.read(fs, p).get(field) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** A local path as the user wrote it; other file systems' URIs as they are. */
  public static String local(String dir) {
    return dir.startsWith("file:") ? new Path(dir).toUri().getPath() : dir;
  }
}
