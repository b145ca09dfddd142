package io.flotilla.raft;

/**
 * Where a snapshot sits in the log.
 *
 * @param index the last log index the snapshot covers
 * @param term the term of the entry at {@code index}
 * @param confState the membership as of {@code index}
 */
public record SnapshotMetadata(long index, long term, ConfState confState) {
  public static final SnapshotMetadata EMPTY = new SnapshotMetadata(0, 0, ConfState.EMPTY);
}
