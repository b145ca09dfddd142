package io.flotilla.placement.sim;

import io.flotilla.placement.model.RangeStats;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One simulated range. Keys are longs in [0, {@link #KEYSPACE_END}), encoded big-endian so
 * they sort as the driver's unsigned bytes; the last range's end is reported as empty. Its
 * stats record is rebuilt only after a change, since most ranges do not change in a round.
 */
final class SimRange {
  static final long KEYSPACE_END = 1L << 62;

  final long id;
  long start;
  long end;
  long generation = 1;
  final List<Long> voters = new ArrayList<>();
  final List<Long> learners = new ArrayList<>();
  long leader;
  long bytes;
  double writesPerSec;
  private RangeStats stats;

  SimRange(long id, long start, long end) {
    this.id = id;
    this.start = start;
    this.end = end;
  }

  void changed() {
    stats = null;
  }

  long middle() {
    return start + (end - start) / 2;
  }

  RangeStats stats() {
    if (stats == null) {
      byte[] endKey = end == KEYSPACE_END ? new byte[0] : key(end);
      stats = new RangeStats(id, key(start), endKey, generation, voters, learners, leader, bytes,
          bytes / 100, writesPerSec, writesPerSec, end - start > 1 ? key(middle()) : null);
    }
    return stats;
  }

  static byte[] key(long k) {
    return ByteBuffer.allocate(8).putLong(k).array();
  }

  static long decode(byte[] key) {
    return ByteBuffer.wrap(key).getLong();
  }
}
