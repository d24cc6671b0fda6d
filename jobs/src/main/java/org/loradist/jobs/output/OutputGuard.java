package org.loradist.jobs.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.loradist.jobs.config.ConfigException;

/**
 * Versioned outputs are never replaced in place: before a job writes {@code dir}, this decides whether the job may go
 * on (nothing there), has nothing to do (a complete output of the same inputs and settings: skip), or must stop (a
 * complete output of other inputs or settings, or a folder that is not a lora-dist output). The identity of a run is
 * the {@code job_fingerprint} its manifest records: a digest of the input fingerprint and the settings that shape
 * the output (not e.g. the Spark master).
 */
public final class OutputGuard {
  public static final String FIELD = "job_fingerprint";

  private OutputGuard() {}

  /** Digest of the inputs' fingerprint and the output-shaping settings. */
  public static String fingerprint(String inputFingerprint, Map<String, ?> settings) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(inputFingerprint.getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, ?> e : new TreeMap<>(settings).entrySet()) {
        md.update(("\n" + e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
      }
      return "sha256:" + HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * True when {@code dir} already holds the complete output of this very run ({@code jobFingerprint}); false when
   * {@code dir} is absent or empty. Refuses (one line) anything else.
   */
  public static boolean alreadyComplete(String command, String dir, String jobFingerprint, Configuration hadoop) {
    try {
      Map<String, Object> manifest = ExistingOutput.manifest(dir, hadoop, "choose a new --output");
      if (manifest == null) {
        return false;
      }
      Object v = manifest.get(FIELD);
      String recorded = v == null ? null : v.toString();
      if (jobFingerprint.equals(recorded)) {
        return true;
      }
      throw new ConfigException("output " + dir + " already holds a complete " + command + " output of other "
          + "inputs or settings; refusing to overwrite it (earlier versions stay readable: choose a new --output)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot inspect output " + dir + ": " + e.getMessage(), e);
    }
  }
}
