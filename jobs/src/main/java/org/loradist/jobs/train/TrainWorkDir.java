package org.loradist.jobs.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.loradist.train.Checkpoint;
import org.loradist.train.lora.LoraTraining;

/**
 * Where a train run keeps what must outlive an interrupted attempt: checkpoints, metrics.jsonl and the adapter, in
 * a hidden sibling of the output folder, {@code .<name>.train-work}, marked with the run's key (a digest of the
 * training inputs and the settings that determine the numbers).
 *
 * <p>Why not in the output's staging folder: {@code AtomicOutput} gives every attempt a fresh staging folder and
 * removes the old ones, which is what keeps a half-written output from ever looking complete, but it would also
 * throw the checkpoints away. So training writes here; only when it is finished and evaluated are the files
 * copied into staging, which is then committed as a whole (manifest, then {@code _SUCCESS}); this folder is
 * removed after the commit. An attempt killed at any point leaves either no complete output and this folder (the
 * rerun resumes from its newest checkpoint), or a complete output and at most a leftover of this folder (removed
 * or resumed-from-the-end by the next run). A rerun with other inputs or settings starts over.
 */
public final class TrainWorkDir {
  static final String KEY_FILE = "run-key";

  private final FileSystem fs;
  private final Path dir;
  private final boolean discardedOther;

  private TrainWorkDir(FileSystem fs, Path dir, boolean discardedOther) {
    this.fs = fs;
    this.dir = dir;
    this.discardedOther = discardedOther;
  }

  /** The work folder of {@code outputDir} for a run with {@code runKey}; one of another run is discarded. */
  public static TrainWorkDir open(String outputDir, String runKey, Configuration conf) {
    try {
      Path target = new Path(outputDir);
      FileSystem fs = target.getFileSystem(conf);
      target = fs.makeQualified(target);
      Path dir = new Path(target.getParent(), "." + target.getName() + ".train-work");
      Path key = new Path(dir, KEY_FILE);
      boolean discarded = false;
      if (fs.exists(dir) && !(fs.exists(key) && runKey.equals(read(fs, key)))) {
        fs.delete(dir, true);
        discarded = true;
      }
      if (!fs.exists(key)) {
        fs.mkdirs(dir);
        try (OutputStream out = fs.create(key, true)) {
          out.write(runKey.getBytes(StandardCharsets.UTF_8));
        }
      }
      return new TrainWorkDir(fs, dir, discarded);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the work folder of " + outputDir + ": " + e.getMessage(), e);
    }
  }

  private static String read(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  /** Fully qualified, so executors resolve it as the driver does. */
  public String path() {
    return dir.toString();
  }

  /** Whether a work folder of a run with other inputs or settings was found and removed. */
  public boolean discardedOther() {
    return discardedOther;
  }

  /** The newest checkpoint of an earlier attempt, or null. */
  public String latestCheckpoint() {
    try {
      return Checkpoint.latest(new Path(dir, LoraTraining.CHECKPOINT_DIR).toString(), fs.getConf());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + dir + ": " + e.getMessage(), e);
    }
  }

  public String metricsPath() {
    return new Path(dir, LoraTraining.METRICS_FILE).toString();
  }

  public String adapterPath() {
    return new Path(dir, LoraTraining.ADAPTER_DIR).toString();
  }

  /** Copies adapter/, checkpoints/ and metrics.jsonl into {@code staging}. */
  public void copyInto(String staging) {
    try {
      Path to = new Path(staging);
      FileSystem toFs = to.getFileSystem(fs.getConf());
      for (String name : new String[] {LoraTraining.ADAPTER_DIR, LoraTraining.CHECKPOINT_DIR,
          LoraTraining.METRICS_FILE}) {
        Path from = new Path(dir, name);
        if (fs.exists(from) && !FileUtil.copy(fs, from, toFs, new Path(to, name), false, fs.getConf())) {
          throw new IOException("cannot copy " + from);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy training results from " + dir + ": " + e.getMessage(), e);
    }
  }

  public void delete() {
    try {
      fs.delete(dir, true);
    } catch (IOException e) {
      // harmless: the next run of this output discards or resumes it
    }
  }
}
