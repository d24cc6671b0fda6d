package org.loradist.weights;

import java.util.Locale;

/** Element types that the weight files carry; names are safetensors' dtype strings. */
public enum TensorType {
  F32(4), F16(2), BF16(2), I64(8), I32(4);

  private final int bytes;

  TensorType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  public boolean isFloat() {
    return this == F32 || this == F16 || this == BF16;
  }

  /** The safetensors dtype string, or null when this reader does not handle it. */
  public static TensorType fromSafetensors(String dtype) {
    try {
      return valueOf(dtype.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
