package io.flotilla.kv.mvcc;

/**
 * What this package assumes of timestamps: they come from the placement driver's TSO, are
 * unique across all start and commit timestamps, are at least 1 (0 is reserved, see {@link
 * MvccKeys#afterAllVersions}), and carry physical milliseconds above {@link #LOGICAL_BITS}
 * logical bits (TiKV's layout), which is what lock TTLs are measured against.
 */
final class Timestamps {
  static final int LOGICAL_BITS = 18;

  private Timestamps() {}

  static long physicalMillis(long ts) {
    return ts >>> LOGICAL_BITS;
  }

  static void check(String name, long ts) {
    if (ts < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, not " + ts);
    }
  }
}
