package io.flotilla.kv.mvcc;

import java.nio.ByteBuffer;

/**
 * A Percolator write record: the outcome of one transaction on one key, stored in the WRITE
 * family at the key's version for the commit timestamp (for a rollback: the start timestamp).
 *
 * <p>Format, version 1: {@code 0x01, kind (1 PUT, 2 DELETE, 3 LOCK, 4 ROLLBACK), startTs
 * (int64), short value (0x00 | 0x01 + int32 length + bytes)}; big-endian.
 *
 * @param kind what the transaction did
 * @param startTs the transaction's start timestamp: where a PUT's DATA record lives
 * @param shortValue a PUT's value when it was small enough to inline, else null
 */
record Write(Kind kind, long startTs, byte[] shortValue) {
  private static final int VERSION = 1;

  enum Kind {
    PUT,
    DELETE,
    /** A committed {@link Mutation.Kind#LOCK}: no change to the value. */
    LOCK,
    /** The transaction was rolled back; kept so that a late prewrite is refused. */
    ROLLBACK;

    static Kind of(Mutation.Kind kind) {
      return switch (kind) {
        case PUT -> PUT;
        case DELETE -> DELETE;
        case LOCK -> LOCK;
      };
    }
  }

  /** Whether this record decides the key's value (PUT or DELETE) rather than being skipped. */
  boolean isData() {
    return kind == Kind.PUT || kind == Kind.DELETE;
  }

  /** Whether the value lives in a DATA record at {@link #startTs}. */
  boolean hasDataRecord() {
    return kind == Kind.PUT && shortValue == null;
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(1 + 1 + 8 + RecordReader.optionalSize(shortValue));
    b.put((byte) VERSION).put((byte) (kind.ordinal() + 1)).putLong(startTs);
    RecordReader.putOptional(b, shortValue);
    return b.array();
  }

  static Write decode(byte[] raw) {
    RecordReader r = new RecordReader("write", raw, VERSION);
    Kind kind = r.kind(Kind.values());
    long startTs = r.i64();
    byte[] shortValue = r.optionalBytes();
    r.end();
    return new Write(kind, startTs, shortValue);
  }
}
