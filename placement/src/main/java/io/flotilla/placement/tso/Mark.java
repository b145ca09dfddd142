package io.flotilla.placement.tso;

import java.nio.ByteBuffer;

/**
 * The persisted high-water mark: no timestamp above {@code timestamp} was ever handed out, and
 * the tenure {@code owner} wrote it. Stored in the system range at {@link RaftMarkStore#KEY} as
 * 17 bytes: a format version (1), the timestamp (8 bytes, big-endian), the owner (8 bytes).
 *
 * <p>The owner is what makes a stale server notice it was superseded: every tenure has an id of
 * its own, and the mark only moves by compare-and-set on its exact bytes, so once another tenure
 * wrote the mark, no later read ever shows this tenure as its owner again.
 */
public record Mark(long timestamp, long owner) {
  private static final byte VERSION = 1;
  private static final int SIZE = 17;

  public byte[] encode() {
    return ByteBuffer.allocate(SIZE).put(VERSION).putLong(timestamp).putLong(owner).array();
  }

  /** Decodes a stored mark; refuses a value of another format. */
  public static Mark decode(byte[] b) {
    if (b.length != SIZE || b[0] != VERSION) {
      throw new IllegalStateException("TSO high-water mark of " + b.length + " bytes, version "
          + (b.length == 0 ? "none" : b[0]) + "; expected " + SIZE + " bytes, version "
          + VERSION);
    }
    ByteBuffer buf = ByteBuffer.wrap(b, 1, SIZE - 1);
    return new Mark(buf.getLong(), buf.getLong());
  }

  @Override
  public String toString() {
    return Timestamps.show(timestamp) + " (tenure " + Long.toHexString(owner) + ")";
  }
}
