package org.loradist.pipelines.retrieve;

import org.loradist.weights.HalfFloats;

/**
 * A fixed number of vectors of one dimension in one flat primitive array (row-major: vector {@code i} starts at
 * {@code i * dimension}), filled once by {@link #set} and read by inner product with a float query. The array is
 * indexed by int, so a store holds at most {@value #MAX_ELEMENTS} numbers (5.5M vectors of 384): beyond that a corpus
 * is for the Spark query job, not for one process.
 */
public abstract sealed class VectorStore permits VectorStore.Fp32, VectorStore.Fp16, VectorStore.Int8 {
  public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  protected final int size;
  protected final int dimension;
  protected final DotKernel kernel;

  private VectorStore(int size, int dimension, DotKernel kernel) {
    if (size < 0 || dimension < 1) {
      throw new IllegalArgumentException("invalid store shape: " + size + " vectors of dimension " + dimension);
    }
    if ((long) size * dimension > MAX_ELEMENTS) {
      throw new IllegalArgumentException(size + " vectors of dimension " + dimension + " exceed one in-memory store ("
          + MAX_ELEMENTS + " numbers); use the Spark query job for a corpus this large");
    }
    this.size = size;
    this.dimension = dimension;
    this.kernel = kernel;
  }

  public static VectorStore allocate(Storage storage, int size, int dimension, DotKernel kernel) {
    return switch (storage) {
      case FP32 -> new Fp32(size, dimension, kernel);
      case FP16 -> new Fp16(size, dimension, kernel);
      case INT8 -> new Int8(size, dimension, kernel);
    };
  }

  public final int size() {
    return size;
  }

  public final int dimension() {
    return dimension;
  }

  public final DotKernel kernel() {
    return kernel;
  }

  public abstract Storage storage();

  /** Memory one vector takes here (its codes and, for int8, its scale). */
  public abstract int bytesPerVector();

  /** Stores {@code vector} (length {@link #dimension}) at {@code ordinal}. */
  public abstract void set(int ordinal, float[] vector);

  /** Inner product of {@code query} (length {@link #dimension}) with the stored vector {@code ordinal}. */
  public abstract float dot(float[] query, int ordinal);

  /** Inner product of two stored vectors (an HNSW build compares them all the time). */
  public float dotStored(int a, int b) {
    return dot(vector(a), b);
  }

  /** The same vectors (shared, not copied) scored with another kernel. */
  public abstract VectorStore withKernel(DotKernel other);

  /** The stored vector as floats (decoded for fp16/int8). */
  public final float[] vector(int ordinal) {
    float[] out = new float[dimension];
    copyTo(ordinal, out);
    return out;
  }

  protected abstract void copyTo(int ordinal, float[] out);

  /** Scores every vector into {@code top}; one loop per layout keeps the kernel call monomorphic. */
  public abstract void scanAll(float[] query, TopK top);

  static final class Fp32 extends VectorStore {
    private final float[] block;

    Fp32(int size, int dimension, DotKernel kernel) {
      super(size, dimension, kernel);
      block = new float[size * dimension];
    }

    private Fp32(Fp32 from, DotKernel kernel) {
      super(from.size, from.dimension, kernel);
      block = from.block;
    }

    @Override
    public VectorStore withKernel(DotKernel other) {
      return new Fp32(this, other);
    }

    @Override
    public float dotStored(int a, int b) {
      return kernel.dot(block, a * dimension, block, b * dimension, dimension);
    }

    @Override
    public Storage storage() {
      return Storage.FP32;
    }

    @Override
    public int bytesPerVector() {
      return dimension * Float.BYTES;
    }

    @Override
    public void set(int ordinal, float[] vector) {
      System.arraycopy(vector, 0, block, ordinal * dimension, dimension);
    }

    @Override
    public float dot(float[] query, int ordinal) {
      return kernel.dot(query, block, ordinal * dimension);
    }

    @Override
    protected void copyTo(int ordinal, float[] out) {
      System.arraycopy(block, ordinal * dimension, out, 0, dimension);
    }

    @Override
    public void scanAll(float[] query, TopK top) {
      for (int i = 0, off = 0; i < size; i++, off += dimension) {
        top.offer(i, kernel.dot(query, block, off));
      }
    }
  }

  static final class Fp16 extends VectorStore {
    private final short[] block;

    Fp16(int size, int dimension, DotKernel kernel) {
      super(size, dimension, kernel);
      block = new short[size * dimension];
    }

    private Fp16(Fp16 from, DotKernel kernel) {
      super(from.size, from.dimension, kernel);
      block = from.block;
    }

    @Override
    public VectorStore withKernel(DotKernel other) {
      return new Fp16(this, other);
    }

    @Override
    public Storage storage() {
      return Storage.FP16;
    }

    @Override
    public int bytesPerVector() {
      return dimension * Short.BYTES;
    }

    @Override
    public void set(int ordinal, float[] vector) {
      int off = ordinal * dimension;
      for (int j = 0; j < dimension; j++) {
        block[off + j] = HalfFloats.floatToF16(vector[j]);
      }
    }

    @Override
    public float dot(float[] query, int ordinal) {
      return kernel.dotHalf(query, block, ordinal * dimension);
    }

    @Override
    protected void copyTo(int ordinal, float[] out) {
      int off = ordinal * dimension;
      for (int j = 0; j < dimension; j++) {
        out[j] = ScalarDotKernel.halfToFloat(block[off + j]);
      }
    }

    @Override
    public void scanAll(float[] query, TopK top) {
      for (int i = 0, off = 0; i < size; i++, off += dimension) {
        top.offer(i, kernel.dotHalf(query, block, off));
      }
    }
  }

  /** Symmetric per-vector quantisation: code = round(x / scale), scale = max|x| / 127; score = scale * (q . codes). */
  static final class Int8 extends VectorStore {
    private final byte[] block;
    private final float[] scales;

    Int8(int size, int dimension, DotKernel kernel) {
      super(size, dimension, kernel);
      block = new byte[size * dimension];
      scales = new float[size];
    }

    private Int8(Int8 from, DotKernel kernel) {
      super(from.size, from.dimension, kernel);
      block = from.block;
      scales = from.scales;
    }

    @Override
    public VectorStore withKernel(DotKernel other) {
      return new Int8(this, other);
    }

    @Override
    public Storage storage() {
      return Storage.INT8;
    }

    @Override
    public int bytesPerVector() {
      return dimension + Float.BYTES;
    }

    @Override
    public void set(int ordinal, float[] vector) {
      float max = 0;
      for (int j = 0; j < dimension; j++) {
        max = Math.max(max, Math.abs(vector[j]));
      }
      float scale = max == 0 ? 1f : max / 127f;
      int off = ordinal * dimension;
      for (int j = 0; j < dimension; j++) {
        block[off + j] = (byte) Math.round(vector[j] / scale);
      }
      scales[ordinal] = scale;
    }

    @Override
    public float dot(float[] query, int ordinal) {
      return scales[ordinal] * kernel.dotBytes(query, block, ordinal * dimension);
    }

    @Override
    protected void copyTo(int ordinal, float[] out) {
      int off = ordinal * dimension;
      float scale = scales[ordinal];
      for (int j = 0; j < dimension; j++) {
        out[j] = block[off + j] * scale;
      }
    }

    @Override
    public void scanAll(float[] query, TopK top) {
      for (int i = 0, off = 0; i < size; i++, off += dimension) {
        top.offer(i, scales[i] * kernel.dotBytes(query, block, off));
      }
    }
  }
}
