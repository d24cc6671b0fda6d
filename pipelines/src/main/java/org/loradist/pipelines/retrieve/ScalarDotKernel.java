package org.loradist.pipelines.retrieve;

/**
 * Plain Java, for JVMs started without {@code --add-modules jdk.incubator.vector}. Four independent accumulators:
 * C2 does not vectorise a float reduction (it would reorder the additions), but it does overlap the four chains.
 */
public final class ScalarDotKernel implements DotKernel {
  public static final ScalarDotKernel INSTANCE = new ScalarDotKernel();

  private ScalarDotKernel() {}

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(float[] q, float[] v, int off) {
    return dot(q, 0, v, off, q.length);
  }

  @Override
  public float dot(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[ao + i] * b[bo + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float dotHalf(float[] q, short[] v, int off) {
    int n = q.length;
    float s0 = 0;
    float s1 = 0;
    int i = 0;
    for (; i + 1 < n; i += 2) {
      s0 += q[i] * halfToFloat(v[off + i]);
      s1 += q[i + 1] * halfToFloat(v[off + i + 1]);
    }
    for (; i < n; i++) {
      s0 += q[i] * halfToFloat(v[off + i]);
    }
    return s0 + s1;
  }

  @Override
  public float dotBytes(float[] q, byte[] v, int off) {
    int n = q.length;
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += q[i] * v[off + i];
      s1 += q[i + 1] * v[off + i + 1];
      s2 += q[i + 2] * v[off + i + 2];
      s3 += q[i + 3] * v[off + i + 3];
    }
    for (; i < n; i++) {
      s0 += q[i] * v[off + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * Exact for every finite half: the half's exponent and mantissa placed into a float's bit positions read as
   * 2^-112 times the value (subnormals and zero included), so one multiply by 2^112 restores it. Branch-free, which
   * is also what the SIMD kernel does lane-wise.
   */
  static float halfToFloat(short h) {
    int bits = ((h & 0x8000) << 16) | ((h & 0x7fff) << 13);
    return Float.intBitsToFloat(bits) * 0x1p112f;
  }
}
