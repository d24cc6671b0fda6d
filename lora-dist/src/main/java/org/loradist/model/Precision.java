package org.loradist.model;

import ai.djl.ndarray.types.DataType;

/** The compute type of the encoder's matmuls and activations. */
public enum Precision {
  /** Reference numerics; checked against ONNX Runtime. */
  FP32(DataType.FLOAT32),
  /**
   * bfloat16 weights and activations (autocast-like: pooling and normalisation stay float32). Fast where the CPU
   * has AVX512-BF16 or AMX; embeddings keep cosine >= 0.995 to FP32 (tested).
   */
  BF16(DataType.BFLOAT16);

  private final DataType dataType;

  Precision(DataType dataType) {
    this.dataType = dataType;
  }

  public DataType dataType() {
    return dataType;
  }
}
