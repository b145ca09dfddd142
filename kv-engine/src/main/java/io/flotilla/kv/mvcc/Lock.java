package io.flotilla.kv.mvcc;

import java.nio.ByteBuffer;

/**
 * A Percolator lock: a transaction has prewritten its key and not yet committed or rolled back.
 * Stored in the LOCK family under the escaped user key.
 *
 * <p>Format, version 1: {@code 0x01, kind (1 PUT, 2 DELETE, 3 LOCK), startTs (int64),
 * ttlMillis (int64), primary (int32 length + bytes), short value (0x00 | 0x01 + int32 length +
 * bytes)}; big-endian.
 *
 * @param kind what the transaction does to the key
 * @param primary the transaction's primary key, whose lock or write record decides its fate
 * @param startTs the transaction's start timestamp
 * @param ttlMillis how long after its start (physical time) the lock counts as abandoned
 * @param shortValue a PUT's value when small enough to live in the lock (then no DATA record
 *     exists), else null
 */
public record Lock(Mutation.Kind kind, byte[] primary, long startTs, long ttlMillis,
    byte[] shortValue) {
  private static final int VERSION = 1;

  /**
   * Whether a reader at {@code readTs} must wait for this lock: the transaction might commit
   * before {@code readTs}. A {@link Mutation.Kind#LOCK} lock never changes the value, so it
   * does not block readers.
   */
  public boolean blocksReadAt(long readTs) {
    return kind != Mutation.Kind.LOCK && startTs <= readTs;
  }

  /** Whether the lock's TTL has run out at TSO timestamp {@code currentTs}. */
  public boolean isExpired(long currentTs) {
    return Timestamps.physicalMillis(currentTs)
        >= Timestamps.physicalMillis(startTs) + ttlMillis;
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(1 + 1 + 8 + 8 + 4 + primary.length
        + RecordReader.optionalSize(shortValue));
    b.put((byte) VERSION).put((byte) (kind.ordinal() + 1)).putLong(startTs).putLong(ttlMillis);
    b.putInt(primary.length).put(primary);
    RecordReader.putOptional(b, shortValue);
    return b.array();
  }

  static Lock decode(byte[] raw) {
    RecordReader r = new RecordReader("lock", raw, VERSION);
    Mutation.Kind kind = r.kind(Mutation.Kind.values());
    long startTs = r.i64();
    long ttlMillis = r.i64();
    byte[] primary = r.bytes();
    byte[] shortValue = r.optionalBytes();
    r.end();
    return new Lock(kind, primary, startTs, ttlMillis, shortValue);
  }

  @Override
  public String toString() {
    return "Lock[" + kind + ", primary " + MvccKeys.show(primary) + ", startTs " + startTs
        + ", ttl " + ttlMillis + " ms" + (shortValue == null ? "" : ", inline value") + "]";
  }
}
