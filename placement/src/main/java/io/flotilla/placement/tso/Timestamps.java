package io.flotilla.placement.tso;

/**
 * The layout of a timestamp: physical milliseconds since the epoch shifted left by
 * {@value #LOGICAL_BITS}, plus a logical counter in the low bits. The multiraft apply path
 * proposes write timestamps as {@code nowMillis << 18} (Replica.nextTimestamp), so TSO timestamps
 * and MVCC write timestamps compare directly.
 *
 * <p>Arithmetic is done on the whole value: a logical counter that overflows carries into the
 * physical part, which only means the timestamps run ahead of the clock for a while.
 */
public final class Timestamps {
  /** Bits of the logical counter. */
  public static final int LOGICAL_BITS = 18;

  private Timestamps() {}

  /** The timestamp of {@code physicalMillis} with logical counter {@code logical}. */
  public static long of(long physicalMillis, long logical) {
    if (physicalMillis < 0 || logical < 0 || logical >= 1L << LOGICAL_BITS) {
      throw new IllegalArgumentException("physical " + physicalMillis + " ms, logical "
          + logical);
    }
    return physicalMillis << LOGICAL_BITS | logical;
  }

  /** The physical milliseconds of a timestamp. */
  public static long physicalMillis(long timestamp) {
    return timestamp >>> LOGICAL_BITS;
  }

  /** The logical counter of a timestamp. */
  public static long logical(long timestamp) {
    return timestamp & ((1L << LOGICAL_BITS) - 1);
  }

  /** For messages: {@code <physical ms>.<logical>}. */
  public static String show(long timestamp) {
    return physicalMillis(timestamp) + "." + logical(timestamp);
  }
}
