package org.loradist.train;

/**
 * An {@link Exchange} that counts what passes through it: the bytes of this worker's own messages (what it sends
 * up to Spark's barrier coordinator), the bytes of every worker's messages handed back to it (what it receives),
 * and the time spent inside {@code allGather} (the round trip plus waiting for the slowest worker).
 *
 * <p>Bytes are the messages' UTF-8 length: {@link FloatCodec}'s base64 is ASCII, one byte a character, which is
 * also what Java serialization writes for such strings in Spark's RPC. RPC framing and serialization headers (a
 * few dozen bytes a message) are not counted. One instance per worker and thread; not thread-safe.
 */
final class CountingExchange implements Exchange {
  private final Exchange inner;
  private long bytesSent;
  private long bytesReceived;
  private long nanos;

  CountingExchange(Exchange inner) {
    this.inner = inner;
  }

  @Override
  public String[] allGather(String message) {
    long t0 = System.nanoTime();
    String[] gathered = inner.allGather(message);
    nanos += System.nanoTime() - t0;
    bytesSent += utf8Length(message);
    for (String m : gathered) {
      bytesReceived += utf8Length(m);
    }
    return gathered;
  }

  /** Bytes of this worker's own messages so far. */
  long bytesSent() {
    return bytesSent;
  }

  /** Bytes of all workers' messages returned to this worker so far (its own included). */
  long bytesReceived() {
    return bytesReceived;
  }

  /** Seconds spent inside allGather so far. */
  double seconds() {
    return nanos / 1e9;
  }

  /** UTF-8 length without building the byte array (the gradient messages are ~0.1-1 MB). */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1; // a lone surrogate: the encoder writes '?'
      } else {
        n += 3;
      }
    }
    return n;
  }
}
