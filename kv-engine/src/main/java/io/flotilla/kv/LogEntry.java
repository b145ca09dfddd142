package io.flotilla.kv;

/**
 * A raft log entry as the engine stores it. The engine does not interpret {@code type} or
 * {@code data}; the multiraft layer maps its own entries onto these.
 *
 * @param index position in the group's log, from 1
 * @param term the term that created it
 * @param type an opaque type tag (e.g. normal command or conf change)
 * @param data the payload
 */
public record LogEntry(long index, long term, byte type, byte[] data) {
  public LogEntry {
    if (index < 1 || term < 0) {
      throw new IllegalArgumentException("bad log position " + term + "/" + index);
    }
  }

  /** Bytes this entry costs, counted as the Raft core counts its entries (so limits agree). */
  public int sizeBytes() {
    return data.length + 24;
  }

  byte[] encodeValue() {
    byte[] v = new byte[9 + data.length];
    Codec.putLong(v, 0, term);
    v[8] = type;
    System.arraycopy(data, 0, v, 9, data.length);
    return v;
  }

  static LogEntry decode(long index, byte[] v) {
    if (v.length < 9) {
      throw new IllegalStateException("raft log entry " + index + " has " + v.length
          + " bytes, fewer than its 9-byte header");
    }
    byte[] data = new byte[v.length - 9];
    System.arraycopy(v, 9, data, 0, data.length);
    return new LogEntry(index, Codec.getLong(v, 0), v[8], data);
  }
}
