package org.loradist.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A training checkpoint on any Hadoop file system: one file {@code DIR/step-NNNNNNNNN.ckpt} holding the numeric
 * settings, step, data cursor, seed, tensor names and shapes, values and both AdamW moments, ending in a CRC32.
 * Written to a temporary name and renamed, so a reader sees a whole file or none; older ones are pruned only
 * after the new one is in place, so the last good checkpoint always survives.
 */
public final class Checkpoint {
  private static final byte[] MAGIC = "LDCKPT01".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern NAME = Pattern.compile("step-(\\d{9,})\\.ckpt");

  /** A checkpoint read back: the state plus the settings it was written with. */
  public record Loaded(TrainState state, Map<String, String> settings, String path) {
  }

  private Checkpoint() {
  }

  public static String fileName(long step) {
    return String.format("step-%09d.ckpt", step);
  }

  /** Writes the state atomically and prunes to the newest {@code keep} (0 = keep all). Returns the path. */
  public static String write(String dir, TrainState state, Map<String, String> settings, int keep,
      Configuration conf) throws IOException {
    Path directory = new Path(dir);
    FileSystem fs = directory.getFileSystem(conf);
    fs.mkdirs(directory);
    Path target = new Path(directory, fileName(state.step()));
    Path tmp = new Path(directory, "_tmp-" + fileName(state.step()) + "-" + UUID.randomUUID());
    try (OutputStream raw = fs.create(tmp, true)) {
      CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), new CRC32());
      DataOutputStream out = new DataOutputStream(checked);
      out.write(MAGIC);
      out.writeInt(settings.size());
      for (Map.Entry<String, String> e : settings.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
      out.writeLong(state.step());
      out.writeLong(state.examplesSeen());
      out.writeLong(state.seed());
      out.writeInt(state.specs().size());
      for (TensorSpec spec : state.specs()) {
        out.writeUTF(spec.name());
        int[] shape = spec.shape();
        out.writeInt(shape.length);
        for (int d : shape) {
          out.writeInt(d);
        }
      }
      for (float[][] group : List.of(state.values(), state.firstMoments(), state.secondMoments())) {
        for (float[] a : group) {
          writeFloats(out, a);
        }
      }
      out.flush();
      long crc = checked.getChecksum().getValue();
      out.writeLong(crc);
      out.flush();
    } catch (IOException | RuntimeException e) {
      fs.delete(tmp, false);
      throw new IOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
    }
    // A retried segment rewrites the same step with the same bits; replace the earlier copy.
    if (fs.exists(target)) {
      fs.delete(target, false);
    }
    if (!fs.rename(tmp, target)) {
      fs.delete(tmp, false);
      throw new IOException("cannot rename checkpoint " + tmp + " to " + target);
    }
    if (keep > 0) {
      List<Path> all = list(fs, directory);
      for (int i = 0; i < all.size() - keep; i++) {
        if (!all.get(i).equals(target)) {
          fs.delete(all.get(i), false);
        }
      }
    }
    return target.toString();
  }

  /** Reads and verifies a checkpoint file, or the newest one if {@code fileOrDir} is a directory. */
  public static Loaded read(String fileOrDir, Configuration conf) throws IOException {
    Path path = new Path(fileOrDir);
    FileSystem fs = path.getFileSystem(conf);
    if (!fs.exists(path)) {
      throw new IOException("checkpoint not found: " + fileOrDir);
    }
    if (fs.getFileStatus(path).isDirectory()) {
      String latest = latest(fileOrDir, conf);
      if (latest == null) {
        throw new IOException("no checkpoint (step-*.ckpt) in " + fileOrDir);
      }
      path = new Path(latest);
    }
    try (InputStream raw = fs.open(path)) {
      CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, 1 << 16), new CRC32());
      DataInputStream in = new DataInputStream(checked);
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException("not a lora-dist checkpoint (bad magic)");
      }
      int settingsCount = in.readInt();
      Map<String, String> settings = new LinkedHashMap<>();
      for (int i = 0; i < settingsCount; i++) {
        settings.put(in.readUTF(), in.readUTF());
      }
      long step = in.readLong();
      long examplesSeen = in.readLong();
      long seed = in.readLong();
      int tensors = in.readInt();
      List<TensorSpec> specs = new ArrayList<>(tensors);
      for (int t = 0; t < tensors; t++) {
        String name = in.readUTF();
        int[] shape = new int[in.readInt()];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = in.readInt();
        }
        specs.add(new TensorSpec(name, shape));
      }
      float[][][] groups = new float[3][tensors][];
      for (float[][] group : groups) {
        for (int t = 0; t < tensors; t++) {
          group[t] = readFloats(in, specs.get(t).size());
        }
      }
      long computed = checked.getChecksum().getValue();
      long stored = in.readLong();
      if (computed != stored) {
        throw new IOException("checksum mismatch (file damaged)");
      }
      TrainState state = new TrainState(specs, groups[0], groups[1], groups[2], step, examplesSeen, seed);
      return new Loaded(state, settings, path.toString());
    } catch (EOFException e) {
      throw new IOException("checkpoint " + path + " is truncated", e);
    } catch (IOException | RuntimeException e) {
      throw new IOException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
    }
  }

  /** Path of the highest-step checkpoint in a directory, or null if there is none. */
  public static String latest(String dir, Configuration conf) throws IOException {
    Path directory = new Path(dir);
    FileSystem fs = directory.getFileSystem(conf);
    if (!fs.exists(directory)) {
      return null;
    }
    List<Path> all = list(fs, directory);
    return all.isEmpty() ? null : all.get(all.size() - 1).toString();
  }

  /** Checkpoints in a directory, oldest first. */
  private static List<Path> list(FileSystem fs, Path directory) throws IOException {
    List<Path> found = new ArrayList<>();
    for (FileStatus st : fs.listStatus(directory)) {
      if (st.isFile() && NAME.matcher(st.getPath().getName()).matches()) {
        found.add(st.getPath());
      }
    }
    found.sort(Comparator.comparingLong(Checkpoint::stepOf));
    return found;
  }

  private static long stepOf(Path p) {
    Matcher m = NAME.matcher(p.getName());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a checkpoint name: " + p);
    }
    return Long.parseLong(m.group(1));
  }

  private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(Math.min(a.length, 1 << 14) * 4);
    for (int i = 0; i < a.length; ) {
      buf.clear();
      int n = Math.min(a.length - i, buf.capacity() / 4);
      buf.asFloatBuffer().put(a, i, n);
      out.write(buf.array(), 0, n * 4);
      i += n;
    }
  }

  private static float[] readFloats(DataInputStream in, int count) throws IOException {
    float[] a = new float[count];
    byte[] bytes = new byte[Math.min(count, 1 << 14) * 4];
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    for (int i = 0; i < count; ) {
      int n = Math.min(count - i, bytes.length / 4);
      in.readFully(bytes, 0, n * 4);
      buf.clear();
      buf.asFloatBuffer().get(a, i, n);
      i += n;
    }
    return a;
  }
}
