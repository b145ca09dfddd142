package io.flotilla.multiraft.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The requests a range's leader served: counts for balancing by load, and a sample of their keys
 * from which a hot range's split key is chosen (the key with as much load on each side). Raft
 * thread only; readers get {@link Counts}.
 *
 * <p>Keys are sampled by reservoir over windows of {@link #WINDOW} requests, so the split key
 * follows where the load is now, not where it was an hour ago.
 */
final class RangeLoad {
  static final int SAMPLE = 64;
  static final int WINDOW = 4096;
  /** Fewer sampled keys than this say too little about where the load sits. */
  static final int MIN_SAMPLE = 32;

  /**
   * Cumulative counts since the replica opened (readers difference two to get rates) and the
   * key that divides the recent load, or null if there is none yet.
   */
  record Counts(long reads, long writes, long writeBytes, byte[] splitKey) {
    static final Counts NONE = new Counts(0, 0, 0, null);

    boolean sameCounts(Counts o) {
      return reads == o.reads && writes == o.writes && writeBytes == o.writeBytes;
    }
  }

  private final SplittableRandom random;
  private long reads;
  private long writes;
  private long writeBytes;
  private final List<byte[]> current = new ArrayList<>(SAMPLE);
  private int seenInWindow;
  private byte[][] previous = new byte[0][];

  RangeLoad(long rangeId) {
    this.random = new SplittableRandom(rangeId);
  }

  void read(byte[] key) {
    reads++;
    sample(key);
  }

  void write(byte[] key, int bytes) {
    writes++;
    writeBytes += bytes;
    sample(key);
  }

  private void sample(byte[] key) {
    seenInWindow++;
    if (current.size() < SAMPLE) {
      current.add(key);
    } else {
      int slot = random.nextInt(seenInWindow);
      if (slot < SAMPLE) {
        current.set(slot, key);
      }
    }
    if (seenInWindow == WINDOW) {
      previous = current.toArray(new byte[0][]);
      current.clear();
      seenInWindow = 0;
    }
  }

  /** The counts, with the median of the fuller of the two windows' samples as split key. */
  Counts counts(byte[] rangeStart) {
    byte[][] keys = current.size() >= previous.length ? current.toArray(new byte[0][])
        : previous;
    byte[] split = null;
    if (keys.length >= MIN_SAMPLE) {
      byte[][] sorted = keys.clone();
      Arrays.sort(sorted, Arrays::compareUnsigned);
      byte[] median = sorted[sorted.length / 2];
      // Splitting at the start would leave the left half empty.
      split = Arrays.compareUnsigned(median, rangeStart) > 0 ? median : null;
    }
    return new Counts(reads, writes, writeBytes, split);
  }
}
