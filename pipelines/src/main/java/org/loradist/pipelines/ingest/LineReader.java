package org.loradist.pipelines.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream at {@code \n} (dropping a {@code \r} before it) without decoding, holding at most
 * {@code maxLineBytes} of a line: the rest of a longer line is skipped and the line flagged, so a 50 MB line costs
 * no more memory than the limit. Splitting bytes is safe for UTF-8, where byte 0x0A only ever means newline.
 */
final class LineReader {
  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buffer = new byte[1 << 16];
  private int pos;
  private int limit;
  private byte[] line = new byte[4096];
  private int lineLength;
  private long lineBytes;

  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** Advances to the next line; false at the end of the stream. A last line without {@code \n} counts. */
  boolean next() throws IOException {
    lineLength = 0;
    lineBytes = 0;
    boolean started = false;
    while (true) {
      if (pos == limit) {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
          pos = limit = 0;
          return started;
        }
        pos = 0;
        limit = n;
      }
      started = true;
      int newline = indexOfNewline();
      int end = newline < 0 ? limit : newline;
      append(pos, end - pos);
      pos = newline < 0 ? limit : newline + 1;
      if (newline >= 0) {
        if (!tooLong() && lineLength > 0 && line[lineLength - 1] == '\r') {
          lineLength--;
          lineBytes--;
        }
        return true;
      }
    }
  }

  /** The line's bytes (only the first {@code maxLineBytes} when {@link #tooLong()}); valid until the next call. */
  byte[] bytes() {
    return line;
  }

  int length() {
    return lineLength;
  }

  /** Whether the line had more than {@code maxLineBytes} bytes. */
  boolean tooLong() {
    return lineBytes > maxLineBytes;
  }

  private int indexOfNewline() {
    for (int i = pos; i < limit; i++) {
      if (buffer[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void append(int from, int count) {
    lineBytes += count;
    int keep = Math.min(count, maxLineBytes - lineLength);
    if (keep <= 0) {
      return;
    }
    if (lineLength + keep > line.length) {
      int grown = (int) Math.min(maxLineBytes, Math.max((long) line.length * 2, lineLength + keep));
      line = Arrays.copyOf(line, grown);
    }
    System.arraycopy(buffer, from, line, lineLength, keep);
    lineLength += keep;
  }
}
