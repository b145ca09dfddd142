package io.flotilla.placement.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One range as its leader last reported it. Keys compare as unsigned bytes; an empty
 * {@code endKey} means the end of the keyspace. {@code leaderStore} is 0 while the range has no
 * leader. {@code loadSplitKey} divides the range's load in two, or is null when the leader
 * has not found one (the load is too low or too concentrated on one key).
 */
public record RangeStats(long rangeId, byte[] startKey, byte[] endKey, long generation,
    List<Long> voters, List<Long> learners, long leaderStore, long approxBytes, long approxKeys,
    double readsPerSec, double writesPerSec, byte[] loadSplitKey, long stickyUntilMillis) {

  /** A range whose split may be merged away at any time. */
  public RangeStats(long rangeId, byte[] startKey, byte[] endKey, long generation,
      List<Long> voters, List<Long> learners, long leaderStore, long approxBytes, long approxKeys,
      double readsPerSec, double writesPerSec, byte[] loadSplitKey) {
    this(rangeId, startKey, endKey, generation, voters, learners, leaderStore, approxBytes,
        approxKeys, readsPerSec, writesPerSec, loadSplitKey, 0);
  }

  public RangeStats {
    voters = List.copyOf(voters);
    learners = List.copyOf(learners);
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("range " + rangeId + " has no voters");
    }
  }

  /** Voters and learners: every store that holds a copy of the range. */
  public List<Long> replicas() {
    if (learners.isEmpty()) {
      return voters;
    }
    List<Long> all = new ArrayList<>(voters);
    all.addAll(learners);
    return all;
  }

  public boolean hasReplicaOn(long storeId) {
    return voters.contains(storeId) || learners.contains(storeId);
  }

  /**
   * Whether this is the system range (the first, from the empty key): its leader runs the
   * placement driver, so balancing leaves its leadership alone.
   */
  public boolean isSystemRange() {
    return startKey.length == 0;
  }

  /** Whether the split that made this range stays at {@code nowMillis}: no merge takes it. */
  public boolean sticky(long nowMillis) {
    return stickyUntilMillis > nowMillis;
  }

  public double load() {
    return readsPerSec + writesPerSec;
  }

  /** Whether {@code key} lies strictly inside the range, so that a split there leaves two
   *  non-empty halves. */
  public boolean strictlyContains(byte[] key) {
    return key != null && Arrays.compareUnsigned(key, startKey) > 0
        && (endKey.length == 0 || Arrays.compareUnsigned(key, endKey) < 0);
  }

  /** Whether {@code next} starts exactly where this range ends. */
  public boolean isLeftNeighbourOf(RangeStats next) {
    return endKey.length > 0 && Arrays.equals(endKey, next.startKey);
  }

  @Override
  public String toString() {
    return "range " + rangeId + " gen " + generation + " voters " + voters
        + (learners.isEmpty() ? "" : " learners " + learners) + " leader " + leaderStore;
  }
}
