package org.loradist.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A tensor in JVM memory as a weight file stores it: element type, shape (row-major) and little-endian bytes.
 * The bridge between the file formats and DJL; float types widen to F32 on the way in.
 */
public record HostTensor(TensorType type, long[] shape, ByteBuffer data) {
  public HostTensor {
    long n = elementCount(shape);
    if ((long) data.remaining() != n * type.bytes()) {
      throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and type " + type
          + " needs " + n * type.bytes() + " bytes, got " + data.remaining());
    }
    data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public long elementCount() {
    return elementCount(shape);
  }

  public static HostTensor ofFloats(long[] shape, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new HostTensor(TensorType.F32, shape.clone(), b);
  }

  /** Copies an NDArray to the host, keeping F32, F16 and BF16 as they are (other float types become F32). */
  public static HostTensor of(NDArray array) {
    DataType dt = array.getDataType();
    TensorType type = switch (dt) {
      case FLOAT32 -> TensorType.F32;
      case FLOAT16 -> TensorType.F16;
      case BFLOAT16 -> TensorType.BF16;
      case INT64 -> TensorType.I64;
      case INT32 -> TensorType.I32;
      default -> null;
    };
    NDArray source = array;
    if (type == null) {
      source = array.toType(DataType.FLOAT32, false);
      type = TensorType.F32;
    }
    ByteBuffer bytes = source.toByteBuffer();
    ByteBuffer copy = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    copy.put(bytes.order(ByteOrder.LITTLE_ENDIAN)).flip();
    if (source != array) {
      source.close();
    }
    return new HostTensor(type, array.getShape().getShape(), copy);
  }

  /** The values widened to float32 (F16 and BF16 exactly; integers by value). */
  public float[] toFloats() {
    int n = Math.toIntExact(elementCount());
    float[] out = new float[n];
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case F32 -> b.asFloatBuffer().get(out);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.f16ToFloat(b.getShort(i * 2));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.bf16ToFloat(b.getShort(i * 2));
        }
      }
      case I64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getLong(i * 8);
        }
      }
      case I32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = b.getInt(i * 4);
        }
      }
    }
    return out;
  }

  /** A float32 NDArray in {@code manager}; F32 data goes straight from the buffer without a Java float[] copy. */
  public NDArray toNDArray(NDManager manager) {
    Shape s = new Shape(shape);
    if (type == TensorType.F32) {
      ByteBuffer direct = manager.allocateDirect(data.remaining());
      direct.put(data.duplicate()).flip();
      return manager.create(direct.order(ByteOrder.LITTLE_ENDIAN), s, DataType.FLOAT32);
    }
    return manager.create(FloatBuffer.wrap(toFloats()), s);
  }

  /** This tensor with the two dimensions of a matrix swapped (ONNX MatMul weights are stored [in, out]). */
  public HostTensor transposed2d() {
    if (shape.length != 2) {
      throw new IllegalArgumentException("transpose needs a matrix, got shape " + Arrays.toString(shape));
    }
    int rows = Math.toIntExact(shape[0]);
    int cols = Math.toIntExact(shape[1]);
    int w = type.bytes();
    ByteBuffer src = data.duplicate();
    byte[] out = new byte[rows * cols * w];
    byte[] in = new byte[src.remaining()];
    src.get(in);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        System.arraycopy(in, (r * cols + c) * w, out, (c * rows + r) * w, w);
      }
    }
    return new HostTensor(type, new long[] {cols, rows}, ByteBuffer.wrap(out));
  }

  /** The same values as another float type (F32, F16 or BF16), rounded to nearest even. */
  public HostTensor convertTo(TensorType target) {
    if (target == type) {
      return this;
    }
    if (!target.isFloat() || !type.isFloat()) {
      throw new IllegalArgumentException("cannot convert " + type + " to " + target);
    }
    float[] values = toFloats();
    if (target == TensorType.F32) {
      return ofFloats(shape.clone(), values);
    }
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putShort(target == TensorType.F16 ? HalfFloats.floatToF16(v) : HalfFloats.floatToBf16(v));
    }
    return new HostTensor(target, shape.clone(), b.flip());
  }

  @Override
  public String toString() {
    return "HostTensor[" + type + " " + Arrays.toString(shape) + "]";
  }
}
