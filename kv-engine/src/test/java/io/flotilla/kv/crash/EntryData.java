package io.flotilla.kv.crash;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Log entry payloads whose every byte follows from (group, index, term, batch id), so that a
 * reader can tell a correct entry from a stale, foreign, partial or corrupt one without having
 * kept a copy.
 *
 * <p>Layout (big-endian): group (8), index (8), term (8), batch id (8), a pseudo-random filler
 * of 0..399 bytes seeded by those four numbers, then a CRC32C (4) of everything before it.
 */
final class EntryData {
  private static final int HEADER_BYTES = 32;
  private static final int CRC_BYTES = 4;
  private static final int MAX_FILLER_BYTES = 400;

  /** Where an entry's payload says it came from. */
  record Origin(long group, long index, long term, long batchId) {}

  private EntryData() {}

  static byte[] of(long group, long index, long term, long batchId) {
    long h = mix(group, index, term, batchId);
    int filler = (int) Long.remainderUnsigned(h, MAX_FILLER_BYTES);
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + filler + CRC_BYTES);
    b.putLong(group).putLong(index).putLong(term).putLong(batchId);
    byte[] f = new byte[filler];
    new SplittableRandom(h).nextBytes(f);
    b.put(f);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** The entry's opaque type tag, also derived from its origin. */
  static byte type(long group, long index, long term, long batchId) {
    return (byte) (mix(group, index, term, batchId) >>> 56);
  }

  /**
   * Decodes and fully checks a payload.
   *
   * @throws IllegalStateException naming what is wrong if it is not exactly what {@link #of}
   *     would produce for the origin its header claims
   */
  static Origin decode(byte[] data) {
    if (data.length < HEADER_BYTES + CRC_BYTES) {
      throw new IllegalStateException("payload of " + data.length + " bytes is shorter than its "
          + (HEADER_BYTES + CRC_BYTES) + "-byte frame (partial entry?)");
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - CRC_BYTES);
    if ((int) crc.getValue() != b.getInt(data.length - CRC_BYTES)) {
      throw new IllegalStateException("payload of " + data.length + " bytes fails its CRC32C");
    }
    Origin o = new Origin(b.getLong(), b.getLong(), b.getLong(), b.getLong());
    if (!Arrays.equals(data, of(o.group(), o.index(), o.term(), o.batchId()))) {
      throw new IllegalStateException("payload claims " + o + " but its bytes differ from that");
    }
    return o;
  }

  private static long mix(long group, long index, long term, long batchId) {
    long h = 0x9E3779B97F4A7C15L;
    for (long v : new long[] {group, index, term, batchId}) {
      h = Long.rotateLeft(h ^ v, 27) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    return h;
  }
}
