package org.loradist.pipelines.retrieve;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels on the JDK Vector API (the widest float species of the CPU: 16 lanes on AVX-512). Only loaded when
 * the JVM has {@code jdk.incubator.vector} (see {@link DotKernels}); the int8 and fp16 kernels widen codes to
 * float lanes of the same count, so they need a byte species of at least 64 bits (8 float lanes), else they fall
 * back to the scalar loop.
 */
final class PanamaDotKernel implements DotKernel {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = FLOATS.length();
  private static final boolean WIDENS = LANES >= 8;
  private static final VectorSpecies<Byte> BYTES =
      WIDENS ? ByteVector.SPECIES_64.withShape(VectorShape.forBitSize(LANES * 8)) : null;
  private static final VectorSpecies<Short> SHORTS =
      WIDENS ? ShortVector.SPECIES_64.withShape(VectorShape.forBitSize(LANES * 16)) : null;
  private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED.withShape(FLOATS.vectorShape());

  static final PanamaDotKernel INSTANCE = new PanamaDotKernel();

  private PanamaDotKernel() {}

  @Override
  public String name() {
    return "panama-" + FLOATS.vectorBitSize();
  }

  @Override
  public float dot(float[] q, float[] v, int off) {
    return dot(q, 0, v, off, q.length);
  }

  @Override
  public float dot(float[] a, int ao, float[] b, int bo, int n) {
    int i = 0;
    FloatVector a0 = FloatVector.zero(FLOATS);
    FloatVector a1 = FloatVector.zero(FLOATS);
    // two chains so consecutive FMAs do not wait on each other
    for (int bound = n - 2 * LANES; i <= bound; i += 2 * LANES) {
      a0 = FloatVector.fromArray(FLOATS, a, ao + i).fma(FloatVector.fromArray(FLOATS, b, bo + i), a0);
      a1 = FloatVector.fromArray(FLOATS, a, ao + i + LANES).fma(FloatVector.fromArray(FLOATS, b, bo + i + LANES), a1);
    }
    for (int bound = n - LANES; i <= bound; i += LANES) {
      a0 = FloatVector.fromArray(FLOATS, a, ao + i).fma(FloatVector.fromArray(FLOATS, b, bo + i), a0);
    }
    float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += a[ao + i] * b[bo + i];
    }
    return s;
  }

  @Override
  public float dotHalf(float[] q, short[] v, int off) {
    if (!WIDENS) {
      return ScalarDotKernel.INSTANCE.dotHalf(q, v, off);
    }
    int n = q.length;
    int i = 0;
    FloatVector acc = FloatVector.zero(FLOATS);
    for (int bound = n - LANES; i <= bound; i += LANES) {
      IntVector h = (IntVector) ShortVector.fromArray(SHORTS, v, off + i).convertShape(VectorOperators.S2I, INTS, 0);
      IntVector bits = h.and(0x8000).lanewise(VectorOperators.LSHL, 16)
          .or(h.and(0x7fff).lanewise(VectorOperators.LSHL, 13));
      FloatVector x = bits.reinterpretAsFloats().mul(0x1p112f);
      acc = FloatVector.fromArray(FLOATS, q, i).fma(x, acc);
    }
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += q[i] * ScalarDotKernel.halfToFloat(v[off + i]);
    }
    return s;
  }

  @Override
  public float dotBytes(float[] q, byte[] v, int off) {
    if (!WIDENS) {
      return ScalarDotKernel.INSTANCE.dotBytes(q, v, off);
    }
    int n = q.length;
    int i = 0;
    FloatVector acc = FloatVector.zero(FLOATS);
    for (int bound = n - LANES; i <= bound; i += LANES) {
      FloatVector x = (FloatVector) ByteVector.fromArray(BYTES, v, off + i).convertShape(VectorOperators.B2F, FLOATS, 0);
      acc = FloatVector.fromArray(FLOATS, q, i).fma(x, acc);
    }
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += q[i] * v[off + i];
    }
    return s;
  }
}
