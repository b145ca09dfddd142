package io.flotilla.raft;

import java.util.List;

/**
 * Read access to what a member has persisted: its hard state, its log and its latest snapshot.
 * The core only reads through this interface; the application writes (after handling each
 * {@link Ready}) through its own implementation, e.g. {@link MemoryStorage} or the kv-engine.
 *
 * <p>The log in storage is the contiguous range [{@link #firstIndex()}, {@link #lastIndex()}];
 * everything before it is covered by {@link #snapshot()}. The entry at {@code firstIndex() - 1}
 * is compacted, but its term must still be answered by {@link #term(long)}.
 */
public interface Storage {
  /** The persisted hard state and membership, read once when a member starts. */
  InitialState initialState();

  /**
   * Entries in [lo, hi), returning a prefix no larger than {@code maxBytes} but always at least
   * one entry when the range is not empty.
   *
   * @throws CompactedException if {@code lo} is at or before the snapshot index
   */
  List<Entry> entries(long lo, long hi, long maxBytes);

  /**
   * The term of the entry at {@code index}, which may be {@code firstIndex() - 1}.
   *
   * @throws CompactedException if {@code index < firstIndex() - 1}
   * @throws IllegalArgumentException if {@code index > lastIndex()}
   */
  long term(long index);

  /** The index of the first entry still in the log (the snapshot index + 1). */
  long firstIndex();

  /** The index of the last entry; {@code firstIndex() - 1} when the log is empty. */
  long lastIndex();

  /**
   * The most recent snapshot.
   *
   * @throws SnapshotUnavailableException if it is being created; the core retries later
   */
  Snapshot snapshot();

  /**
   * What a member reads from storage when it starts.
   *
   * @param hardState the last persisted hard state
   * @param confState the membership as of the last applied configuration change
   */
  record InitialState(HardState hardState, ConfState confState) {}

  /** The requested position was compacted away into a snapshot. */
  final class CompactedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CompactedException(long index, long firstIndex) {
      super("log index " + index + " is compacted; first index is " + firstIndex, null, false,
          false);
    }
  }

  /** The snapshot is not ready yet; the core tries again on a later heartbeat. */
  final class SnapshotUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SnapshotUnavailableException(String why) {
      super(why, null, false, false);
    }
  }
}
