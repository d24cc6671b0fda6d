package org.loradist.model;

import ai.djl.ndarray.types.DataType;

/** The compute type of the encoder's matmuls and activations. */
public enum Precision {
  /** Reference numerics; checked against ONNX Runtime. */
  FP32(DataType.FLOAT32),
  /**
   * bfloat16 weights and activations. Refused for now (see {@link #unavailableReason}): DJL 0.36's PyTorch binding
   * maps no DJL data type to torch.bfloat16, and a BFLOAT16 cast through it aborts the whole JVM (std::terminate
   * in its JNI layer). The enum value stays so that configs and flags can name it and get a clear refusal.
   */
  BF16(DataType.BFLOAT16);

  /** Why a precision cannot run with the engine at hand, or null when it can. */
  public String unavailableReason() {
    return this == BF16
        ? "bf16 is not available: DJL 0.36's PyTorch JNI has no bfloat16 data type (a BFLOAT16 cast aborts the JVM), "
            + "and its other reduced types do not help on CPU (float16 matmuls measured 2-4x slower than float32 "
            + "without AVX512-FP16; no quantized int8 linear is exposed)"
        : null;
  }

  private final DataType dataType;

  Precision(DataType dataType) {
    this.dataType = dataType;
  }

  public DataType dataType() {
    return dataType;
  }
}
