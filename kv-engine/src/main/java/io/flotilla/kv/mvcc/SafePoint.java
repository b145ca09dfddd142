package io.flotilla.kv.mvcc;

import io.flotilla.kv.Cf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The store's GC safe point: versions that no read at or above it needs may have been removed,
 * so every read and prewrite below it is refused instead of silently missing data. Recorded in
 * the DEFAULT family by {@link MvccGc} in the same batch as the deletions it permits, so a
 * reader's snapshot sees either the old data or the new safe point, never neither.
 *
 * <p>Format, version 1: {@code 0x01, safePoint (int64 big-endian)}.
 */
final class SafePoint {
  static final byte[] KEY = "flotilla/mvcc/gc-safe-point".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;

  private SafePoint() {}

  /** The safe point in {@code view}; 0 before the first GC. */
  static long read(View view) {
    byte[] raw = view.get(Cf.DEFAULT, KEY);
    if (raw == null) {
      return 0;
    }
    RecordReader r = new RecordReader("GC safe point", raw, VERSION);
    long safePoint = r.i64();
    r.end();
    return safePoint;
  }

  /** Refuses {@code what} at {@code ts} when it lies below {@code safePoint}. */
  static void check(String what, long ts, long safePoint) {
    if (ts < safePoint) {
      throw new MvccException.BelowSafePoint(what + " at ts " + ts + " is below the GC safe"
          + " point " + safePoint + "; versions it needs may have been collected", safePoint);
    }
  }

  /**
   * Refuses a prewrite at or below {@code safePoint}: GC removes rollback records up to the
   * safe point, so such a prewrite could no longer be told that its transaction was aborted.
   */
  static void checkPrewrite(long startTs, long safePoint) {
    if (startTs <= safePoint) {
      throw new MvccException.BelowSafePoint("prewrite at start ts " + startTs + " is at or"
          + " below the GC safe point " + safePoint + "; the transaction must restart",
          safePoint);
    }
  }

  static void record(Batch out, long safePoint) {
    out.put(Cf.DEFAULT, KEY,
        ByteBuffer.allocate(9).put((byte) VERSION).putLong(safePoint).array());
  }
}
