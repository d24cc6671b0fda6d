package org.loradist.pipelines.retrieve;

import java.util.Locale;

/** How vectors are held in memory: full floats, IEEE halves (half the memory), or int8 codes with a per-vector scale. */
public enum Storage {
  FP32,
  FP16,
  INT8;

  public static Storage parse(String s) {
    try {
      return valueOf(s.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown vector storage '" + s + "': fp32, fp16 or int8", e);
    }
  }
}
