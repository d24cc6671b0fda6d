package org.loradist.jobs.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A job's output folder, written in a hidden staging sibling and moved into place only when complete. The final
 * folder gets {@code _manifest.json} and then {@code _SUCCESS}; a failed or interrupted run leaves at most a
 * staging folder (ignored, removed by the next run), never a folder that looks complete. Works on any Hadoop path.
 */
public final class AtomicOutput {
  public static final String SUCCESS = "_SUCCESS";
  public static final String MANIFEST = "_manifest.json";
  private static final String STAGING_PREFIX = ".staging-";

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private boolean finished;

  private AtomicOutput(FileSystem fs, Path target, Path staging) {
    this.fs = fs;
    this.target = target;
    this.staging = staging;
  }

  public static AtomicOutput begin(String dir, Configuration hadoop) {
    try {
      Path target = new Path(dir);
      FileSystem fs = target.getFileSystem(hadoop);
      target = fs.makeQualified(target);
      Path parent = target.getParent();
      fs.mkdirs(parent);
      removeStaleStaging(fs, parent, target.getName());
      Path staging = new Path(parent, STAGING_PREFIX + target.getName() + "-" + UUID.randomUUID());
      fs.mkdirs(staging);
      return new AtomicOutput(fs, target, staging);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare output " + dir + ": " + e.getMessage(), e);
    }
  }

  /** True when {@code dir} holds a complete output (its {@code _SUCCESS} exists). */
  public static boolean isComplete(String dir, Configuration hadoop) {
    try {
      Path p = new Path(dir, SUCCESS);
      return p.getFileSystem(hadoop).exists(p);
    } catch (IOException e) {
      return false;
    }
  }

  private static void removeStaleStaging(FileSystem fs, Path parent, String name) throws IOException {
    if (!fs.exists(parent)) {
      return;
    }
    for (var st : fs.listStatus(parent)) {
      if (st.getPath().getName().startsWith(STAGING_PREFIX + name + "-")) {
        fs.delete(st.getPath(), true);
      }
    }
  }

  /** Where a part of the output (e.g. "docs") is written during the run. */
  public String part(String name) {
    return new Path(staging, name).toString();
  }

  public String target() {
    return target.toString();
  }

  /** Writes the manifest, swaps the staging folder into place, then marks it complete. */
  public void commit(String manifestJson) {
    try {
      write(new Path(staging, MANIFEST), manifestJson);
      Path old = null;
      if (fs.exists(target)) {
        old = new Path(target.getParent(), STAGING_PREFIX + target.getName() + "-old-" + UUID.randomUUID());
        // Remove the old marker first: between the two renames nothing looks complete.
        fs.delete(new Path(target, SUCCESS), false);
        if (!fs.rename(target, old)) {
          throw new IOException("cannot move previous output " + target + " aside");
        }
      }
      if (!fs.rename(staging, target)) {
        throw new IOException("cannot move " + staging + " to " + target);
      }
      write(new Path(target, SUCCESS), "");
      if (old != null) {
        fs.delete(old, true);
      }
      finished = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit output " + target + ": " + e.getMessage(), e);
    }
  }

  /** Removes the staging folder of a run that did not finish; a no-op after {@link #commit}. */
  public void abort() {
    if (finished) {
      return;
    }
    try {
      fs.delete(staging, true);
    } catch (IOException ignored) {
      // the next run removes stale staging folders anyway
    }
  }

  private void write(Path p, String content) throws IOException {
    try (OutputStream o = fs.create(p, true)) {
      o.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }
}
