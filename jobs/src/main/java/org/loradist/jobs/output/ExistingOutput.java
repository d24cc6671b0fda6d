package org.loradist.jobs.output;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.loradist.jobs.config.ConfigException;

/**
 * What already stands where a job is about to write: nothing (no folder, or an empty one), or a complete lora-dist
 * output with its manifest. Anything else is refused with one line, since an output is the user's data and is never
 * replaced. Whether a complete output may be kept is for the caller ({@link OutputGuard}, {@link StageCheck}).
 */
final class ExistingOutput {
  private ExistingOutput() {}

  /**
   * The manifest of the complete output at {@code dir} (empty if it has none), or null when nothing is there.
   *
   * @param newFolderHint how the refusal of a folder that is not a lora-dist output tells the user to go on
   */
  static Map<String, Object> manifest(String dir, Configuration hadoop, String newFolderHint) throws IOException {
    Path p = new Path(dir);
    FileSystem fs = p.getFileSystem(hadoop);
    if (!fs.exists(p)) {
      return null;
    }
    if (!fs.getFileStatus(p).isDirectory()) {
      throw new ConfigException("output " + dir + " is a file, not a folder");
    }
    if (!AtomicOutput.isComplete(dir, hadoop)) {
      if (fs.listStatus(p).length == 0) {
        return null;
      }
      throw new ConfigException("output " + dir + " exists and is not a complete lora-dist output; refusing to "
          + "overwrite it (" + newFolderHint + ")");
    }
    return read(fs, new Path(p, AtomicOutput.MANIFEST));
  }

  /** The manifest file's fields; empty when there is no such file. */
  static Map<String, Object> read(FileSystem fs, Path manifest) throws IOException {
    if (!fs.exists(manifest)) {
      return Map.of();
    }
    try (InputStream in = fs.open(manifest)) {
      return Manifest.read(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
