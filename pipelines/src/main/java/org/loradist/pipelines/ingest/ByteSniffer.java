package org.loradist.pipelines.ingest;

/** Tells binary content from text by its first bytes, before anything tries to decode it. */
final class ByteSniffer {
  private ByteSniffer() {}

  /** How many leading bytes are looked at. */
  static final int SNIFF_BYTES = 8192;
  /** Text hardly ever has more than a few control characters per hundred bytes; binary formats have many. */
  private static final double MAX_CONTROL_RATIO = 0.10;

  /** NUL bytes never occur in UTF-8 text; other C0 controls (but tab, newlines, form feed, escape) rarely do. */
  static boolean looksBinary(byte[] bytes, int length) {
    int n = Math.min(length, SNIFF_BYTES);
    int controls = 0;
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xff;
      if (b == 0) {
        return true;
      }
      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1b) || b == 0x7f) {
        controls++;
      }
    }
    return n > 0 && controls > n * MAX_CONTROL_RATIO;
  }
}
