package org.loradist.pipelines.retrieve;

/**
 * Inner products of a float query with one stored vector, for each storage layout. The query's length is the
 * dimension; {@code offset} is where the vector starts in the flat block. Implementations are stateless.
 */
public interface DotKernel {
  /** A short name for logs and benchmarks ("panama-512" or "scalar"). */
  String name();

  float dot(float[] query, float[] block, int offset);

  /** Two vectors inside flat blocks ({@code length} numbers each): stored-to-stored, as an HNSW build needs. */
  float dot(float[] a, int aOffset, float[] b, int bOffset, int length);

  /** Against IEEE half-precision bit patterns (finite values only: embeddings are L2-normalised). */
  float dotHalf(float[] query, short[] block, int offset);

  /** Against int8 codes; the caller multiplies by the vector's scale. */
  float dotBytes(float[] query, byte[] block, int offset);
}
