package io.flotilla.kv.mvcc;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Reads one versioned record (lock, write, safe point), turning every kind of malformation into
 * a {@link CorruptRecordException} that names the record type.
 */
final class RecordReader {
  private final String recordType;
  private final ByteBuffer in;

  /** Opens {@code raw} and checks its leading version byte against {@code version}. */
  RecordReader(String recordType, byte[] raw, int version) {
    this.recordType = recordType;
    this.in = ByteBuffer.wrap(raw);
    int actual = u8();
    if (actual != version) {
      throw corrupt("format version " + actual + " (this build reads version " + version + ")");
    }
  }

  int u8() {
    try {
      return in.get() & 0xFF;
    } catch (BufferUnderflowException e) {
      throw corrupt("truncated at byte " + in.position());
    }
  }

  long i64() {
    try {
      return in.getLong();
    } catch (BufferUnderflowException e) {
      throw corrupt("truncated at byte " + in.position());
    }
  }

  /** A length-prefixed byte string. */
  byte[] bytes() {
    int length;
    try {
      length = in.getInt();
    } catch (BufferUnderflowException e) {
      throw corrupt("truncated at byte " + in.position());
    }
    if (length < 0 || length > in.remaining()) {
      throw corrupt("length " + length + " at byte " + (in.position() - 4) + " but "
          + in.remaining() + " bytes remain");
    }
    byte[] b = new byte[length];
    in.get(b);
    return b;
  }

  /** A flag byte then, if set, a length-prefixed byte string; else null. */
  byte[] optionalBytes() {
    int flag = u8();
    if (flag > 1) {
      throw corrupt("optional-value flag " + flag);
    }
    return flag == 1 ? bytes() : null;
  }

  /** The enum constant numbered {@code u8() - 1}. */
  <E extends Enum<E>> E kind(E[] kinds) {
    int k = u8();
    if (k < 1 || k > kinds.length) {
      throw corrupt("unknown kind " + k);
    }
    return kinds[k - 1];
  }

  void end() {
    if (in.hasRemaining()) {
      throw corrupt(in.remaining() + " trailing bytes");
    }
  }

  CorruptRecordException corrupt(String problem) {
    return new CorruptRecordException(recordType, problem);
  }

  /** Size of an optional byte string as {@link #optionalBytes} reads it. */
  static int optionalSize(byte[] b) {
    return 1 + (b == null ? 0 : 4 + b.length);
  }

  static void putOptional(ByteBuffer out, byte[] b) {
    out.put((byte) (b == null ? 0 : 1));
    if (b != null) {
      out.putInt(b.length).put(b);
    }
  }
}
