package org.loradist.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Embedded vectors cached between benchmark runs, so real embeddings are computed once (minutes on 2 cores) and
 * read back in a second. A plain little-endian file: the 4 bytes {@code LDVF}, int version (1), int key length, the
 * key (UTF-8: what the vectors are of, so a cache of other texts is refused, not used), int block count, then per
 * block int rows, int dimension and rows x dimension floats.
 */
final class VectorFile {
  private static final byte[] MAGIC = {'L', 'D', 'V', 'F'};
  private static final int VERSION = 1;

  private VectorFile() {}

  /** Writes the blocks under {@code key}, through a temporary file so a killed run leaves no half cache. */
  static void write(Path file, String key, List<float[][]> blocks) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      out.write(MAGIC);
      writeInt(out, VERSION);
      byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
      writeInt(out, keyBytes.length);
      out.write(keyBytes);
      writeInt(out, blocks.size());
      for (float[][] block : blocks) {
        int dim = block.length == 0 ? 0 : block[0].length;
        writeInt(out, block.length);
        writeInt(out, dim);
        ByteBuffer row = ByteBuffer.allocate(dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] v : block) {
          if (v.length != dim) {
            throw new IllegalArgumentException("rows of one block differ in dimension: " + v.length + " and " + dim);
          }
          row.clear();
          row.asFloatBuffer().put(v);
          out.write(row.array());
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The blocks of {@code file}, which must have been written under {@code key}. */
  static List<float[][]> read(Path file, String key) throws IOException {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      byte[] magic = in.readNBytes(4);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IOException("vector cache " + file + " is not a vector file (no LDVF header)");
      }
      int version = readInt(in);
      if (version != VERSION) {
        throw new IOException("vector cache " + file + " has version " + version + ", this bench reads " + VERSION);
      }
      int keyLength = readInt(in);
      if (keyLength < 0 || keyLength > 1 << 16) {
        throw new IOException("vector cache " + file + " has a corrupt header (key length " + keyLength + ")");
      }
      String stored = new String(in.readNBytes(keyLength), StandardCharsets.UTF_8);
      if (!stored.equals(key)) {
        throw new IOException("vector cache " + file + " holds [" + stored + "], this run asks for [" + key
            + "]: give another --cache file or delete this one");
      }
      int count = readInt(in);
      List<float[][]> blocks = new ArrayList<>(count);
      for (int b = 0; b < count; b++) {
        int rows = readInt(in);
        int dim = readInt(in);
        if (rows < 0 || dim < 0 || (long) rows * dim > Integer.MAX_VALUE) {
          throw new IOException("vector cache " + file + ": block " + b + " has a corrupt shape " + rows + " x " + dim);
        }
        float[][] block = new float[rows][dim];
        byte[] bytes = new byte[dim * Float.BYTES];
        for (int r = 0; r < rows; r++) {
          in.readFully(bytes);
          ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(block[r]);
        }
        blocks.add(block);
      }
      if (in.read() != -1) {
        throw new IOException("vector cache " + file + " has bytes after its " + count + " blocks");
      }
      return blocks;
    } catch (EOFException e) {
      throw new IOException("vector cache " + file + " is truncated", e);
    }
  }

  private static void writeInt(OutputStream out, int v) throws IOException {
    out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
  }

  private static int readInt(DataInputStream in) throws IOException {
    return Integer.reverseBytes(in.readInt());
  }
}
