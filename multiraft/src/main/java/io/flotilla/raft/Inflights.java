package io.flotilla.raft;

/**
 * The appends sent to one follower and not yet acknowledged, as a ring of their last indexes.
 * Bounding it bounds the memory and bandwidth one slow follower can take from the leader.
 */
final class Inflights {
  private final long[] lastIndexes;
  private int start;
  private int count;

  Inflights(int capacity) {
    lastIndexes = new long[capacity];
  }

  boolean full() {
    return count == lastIndexes.length;
  }

  int count() {
    return count;
  }

  void add(long lastIndex) {
    if (full()) {
      throw new IllegalStateException("inflight window of " + lastIndexes.length + " is full");
    }
    lastIndexes[(start + count) % lastIndexes.length] = lastIndex;
    count++;
  }

  /** Forgets every append whose last index is at or below {@code index}: they were acked. */
  void freeLE(long index) {
    while (count > 0 && lastIndexes[start] <= index) {
      start = (start + 1) % lastIndexes.length;
      count--;
    }
  }

  void reset() {
    start = 0;
    count = 0;
  }
}
