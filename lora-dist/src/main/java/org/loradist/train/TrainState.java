package org.loradist.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Everything a run needs to continue exactly: trainable tensors (in a fixed name order), AdamW moments, the number
 * of updates applied, the data cursor (stream position of the next example) and the seed.
 *
 * <p>Mutable and owned by one thread: the step loop updates the arrays in place. {@link #copy()} before sharing.
 */
public final class TrainState implements Serializable {
  private final List<TensorSpec> specs;
  private final float[][] values;
  private final float[][] firstMoments;
  private final float[][] secondMoments;
  private long step;
  private long examplesSeen;
  private final long seed;

  public TrainState(List<TensorSpec> specs, float[][] values, float[][] firstMoments, float[][] secondMoments,
      long step, long examplesSeen, long seed) {
    this.specs = List.copyOf(specs);
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("a replica must have at least one trainable tensor");
    }
    if (specs.stream().map(TensorSpec::name).distinct().count() != specs.size()) {
      throw new IllegalArgumentException("trainable tensor names must be unique: " + specs);
    }
    checkShapes(specs, values, "values");
    checkShapes(specs, firstMoments, "first moments");
    checkShapes(specs, secondMoments, "second moments");
    if (step < 0 || examplesSeen < 0) {
      throw new IllegalArgumentException("step and data cursor must be >= 0, got " + step + ", " + examplesSeen);
    }
    this.values = values;
    this.firstMoments = firstMoments;
    this.secondMoments = secondMoments;
    this.step = step;
    this.examplesSeen = examplesSeen;
    this.seed = seed;
  }

  /** Fresh state: copies of the values, zero moments, step 0. */
  public static TrainState initial(List<TensorSpec> specs, float[][] values, long seed) {
    checkShapes(specs, values, "initial values");
    float[][] copy = new float[values.length][];
    float[][] m = new float[values.length][];
    float[][] v = new float[values.length][];
    for (int i = 0; i < values.length; i++) {
      copy[i] = values[i].clone();
      m[i] = new float[values[i].length];
      v[i] = new float[values[i].length];
    }
    return new TrainState(specs, copy, m, v, 0, 0, seed);
  }

  /** Throws, naming the tensor, when an array list does not match the specs (count, order by index, length). */
  public static void checkShapes(List<TensorSpec> specs, float[][] arrays, String what) {
    if (arrays == null || arrays.length != specs.size()) {
      throw new IllegalArgumentException(what + ": expected " + specs.size() + " tensors " + specs + ", got "
          + (arrays == null ? "null" : arrays.length));
    }
    for (int i = 0; i < arrays.length; i++) {
      int expected = specs.get(i).size();
      if (arrays[i] == null || arrays[i].length != expected) {
        throw new IllegalArgumentException(what + ": tensor " + specs.get(i) + " needs " + expected
            + " floats, got " + (arrays[i] == null ? "null" : arrays[i].length));
      }
    }
  }

  public List<TensorSpec> specs() {
    return specs;
  }

  public List<String> names() {
    List<String> names = new ArrayList<>(specs.size());
    for (TensorSpec s : specs) {
      names.add(s.name());
    }
    return names;
  }

  /** The live arrays, in spec order (not copies). */
  public float[][] values() {
    return values;
  }

  public float[][] firstMoments() {
    return firstMoments;
  }

  public float[][] secondMoments() {
    return secondMoments;
  }

  /** The current values of one tensor (a copy). */
  public float[] tensor(String name) {
    for (int i = 0; i < specs.size(); i++) {
      if (specs.get(i).name().equals(name)) {
        return values[i].clone();
      }
    }
    throw new IllegalArgumentException("no trainable tensor named " + name + "; have " + names());
  }

  /** Optimizer updates applied so far. */
  public long step() {
    return step;
  }

  /** Data cursor: stream position of the next example (see {@link DataOrder}). */
  public long examplesSeen() {
    return examplesSeen;
  }

  public long seed() {
    return seed;
  }

  public long trainableCount() {
    long n = 0;
    for (float[] v : values) {
      n += v.length;
    }
    return n;
  }

  void advance(long examples) {
    step++;
    examplesSeen += examples;
  }

  public TrainState copy() {
    return new TrainState(specs, deepCopy(values), deepCopy(firstMoments), deepCopy(secondMoments), step,
        examplesSeen, seed);
  }

  /** CRC32 over values, moments, step and cursor: equal on two replicas iff they hold the same bits (w.h.p.). */
  public long fingerprint() {
    CRC32 crc = new CRC32();
    for (float[][] group : new float[][][] {values, firstMoments, secondMoments}) {
      for (float[] a : group) {
        byte[] bytes = new byte[a.length * 4];
        for (int i = 0; i < a.length; i++) {
          int bits = Float.floatToRawIntBits(a[i]);
          bytes[4 * i] = (byte) bits;
          bytes[4 * i + 1] = (byte) (bits >>> 8);
          bytes[4 * i + 2] = (byte) (bits >>> 16);
          bytes[4 * i + 3] = (byte) (bits >>> 24);
        }
        crc.update(bytes);
      }
    }
    return crc.getValue() ^ (step * 0x9E3779B97F4A7C15L) ^ (examplesSeen << 32);
  }

  private static float[][] deepCopy(float[][] a) {
    float[][] out = new float[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
    }
    return out;
  }
}
