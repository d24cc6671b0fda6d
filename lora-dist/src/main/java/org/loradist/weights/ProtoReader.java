package org.loradist.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A minimal protocol-buffers wire-format reader over a byte buffer: enough to walk an ONNX model
 * (varints, 64/32-bit fixed and length-delimited fields) without a protobuf library.
 * Length-delimited values come back as slices of the same buffer, so nothing is copied.
 */
final class ProtoReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private final ByteBuffer buf;
  private final String origin;
  private int tag;

  ProtoReader(ByteBuffer buf, String origin) {
    this.buf = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
    this.origin = origin;
  }

  /** Moves to the next field; false at the end of the message. */
  boolean next() {
    if (!buf.hasRemaining()) {
      return false;
    }
    long t = readVarint();
    tag = (int) t;
    if (fieldNumber() == 0) {
      throw corrupt("field number 0");
    }
    return true;
  }

  int fieldNumber() {
    return tag >>> 3;
  }

  int wireType() {
    return tag & 7;
  }

  long readVarint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!buf.hasRemaining()) {
        throw corrupt("truncated varint");
      }
      byte b = buf.get();
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw corrupt("varint longer than 10 bytes");
  }

  ByteBuffer readBytes() {
    expect(LENGTH_DELIMITED);
    long len = readVarint();
    if (len < 0 || len > buf.remaining()) {
      throw corrupt("length " + len + " runs past the end (" + buf.remaining() + " bytes left)");
    }
    ByteBuffer slice = buf.slice().limit((int) len).order(ByteOrder.LITTLE_ENDIAN);
    buf.position(buf.position() + (int) len);
    return slice;
  }

  String readString() {
    return StandardCharsets.UTF_8.decode(readBytes()).toString();
  }

  ProtoReader readMessage() {
    return new ProtoReader(readBytes(), origin);
  }

  /** Skips the current field's value, whatever its wire type. */
  void skip() {
    switch (wireType()) {
      case VARINT -> readVarint();
      case FIXED64 -> advance(8);
      case LENGTH_DELIMITED -> readBytes();
      case FIXED32 -> advance(4);
      default -> throw corrupt("unsupported wire type " + wireType() + " for field " + fieldNumber());
    }
  }

  /** Reads one element of a repeated varint field, or all of it when the field is packed. */
  void readVarints(java.util.function.LongConsumer sink) {
    if (wireType() == LENGTH_DELIMITED) {
      ProtoReader packed = new ProtoReader(readBytes(), origin);
      while (packed.buf.hasRemaining()) {
        sink.accept(packed.readVarint());
      }
    } else {
      expect(VARINT);
      sink.accept(readVarint());
    }
  }

  private void advance(int n) {
    if (buf.remaining() < n) {
      throw corrupt("truncated fixed-width value");
    }
    buf.position(buf.position() + n);
  }

  private void expect(int wire) {
    if (wireType() != wire) {
      throw corrupt("field " + fieldNumber() + " has wire type " + wireType() + ", expected " + wire);
    }
  }

  IllegalStateException corrupt(String what) {
    return new IllegalStateException(origin + ": corrupt protobuf (" + what + ")");
  }
}
