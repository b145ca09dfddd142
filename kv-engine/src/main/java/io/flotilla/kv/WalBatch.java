package io.flotilla.kv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one cycle of the store runtime makes durable: the new log entries and hard states of any
 * number of groups. Committed with {@link RaftLogStore#commit}, which writes it (together with
 * any batches committed concurrently) in one RocksDB write with one fsync.
 *
 * <p>Per group, later calls win over earlier ones: a hard state set twice is written once (the
 * newest), and entries appended after a snapshot follow it. Not thread-safe; one builder.
 */
public final class WalBatch {
  /** One group's part of the batch. */
  static final class GroupUpdate {
    TruncatedState snapshot;
    final List<LogEntry> entries = new ArrayList<>();
    RaftHardState hardState;
  }

  private final LinkedHashMap<Long, GroupUpdate> groups = new LinkedHashMap<>();
  private int entryCount;
  private long entryBytes;
  private boolean syncRequired;

  /**
   * Appends entries to a group's log. The first entry's index may be at or before the group's
   * current last index: the conflicting suffix from there on is discarded, as Raft requires.
   * Entries must be contiguous.
   */
  public WalBatch append(long groupId, List<LogEntry> entries) {
    if (entries.isEmpty()) {
      return this;
    }
    GroupUpdate u = update(groupId);
    long first = entries.get(0).index();
    for (int i = 1; i < entries.size(); i++) {
      if (entries.get(i).index() != first + i) {
        throw new IllegalArgumentException("group " + groupId + ": entries not contiguous at "
            + entries.get(i).index());
      }
    }
    if (!u.entries.isEmpty()) {
      long pendingFirst = u.entries.get(0).index();
      long pendingLast = u.entries.get(u.entries.size() - 1).index();
      if (first > pendingLast + 1) {
        throw new IllegalArgumentException("group " + groupId + ": gap between " + pendingLast
            + " and " + first);
      }
      if (first <= pendingFirst) {
        u.entries.clear();
      } else {
        u.entries.subList((int) (first - pendingFirst), u.entries.size()).clear();
      }
    }
    u.entries.addAll(entries);
    syncRequired = true;
    entryCount += entries.size();
    for (LogEntry e : entries) {
      entryBytes += e.sizeBytes();
    }
    return this;
  }

  /** Sets a group's hard state; the batch will be synced. */
  public WalBatch setHardState(long groupId, RaftHardState hardState) {
    return setHardState(groupId, hardState, true);
  }

  /**
   * Sets a group's hard state. With {@code mustSync} false (only the commit index moved), the
   * hard state alone does not make the batch pay an fsync: a lost commit index is learned again
   * from the leader, while a lost term or vote could let a member vote twice.
   */
  public WalBatch setHardState(long groupId, RaftHardState hardState, boolean mustSync) {
    update(groupId).hardState = hardState;
    syncRequired |= mustSync;
    return this;
  }

  /**
   * Replaces a group's whole log by a snapshot ending at {@code state}: every stored entry is
   * discarded and the log continues after {@code state.index()}.
   */
  public WalBatch installSnapshot(long groupId, TruncatedState state) {
    GroupUpdate u = update(groupId);
    u.snapshot = state;
    u.entries.clear();
    syncRequired = true;
    return this;
  }

  /** Whether committing this batch needs an fsync: it holds entries, a snapshot or a vote. */
  public boolean syncRequired() {
    return syncRequired;
  }

  public boolean isEmpty() {
    return groups.isEmpty();
  }

  /** Number of groups with something in this batch. */
  public int groupCount() {
    return groups.size();
  }

  public int entryCount() {
    return entryCount;
  }

  public long entryBytes() {
    return entryBytes;
  }

  Map<Long, GroupUpdate> groups() {
    return groups;
  }

  private GroupUpdate update(long groupId) {
    if (groupId == 0) {
      throw new IllegalArgumentException("group id 0 is reserved");
    }
    return groups.computeIfAbsent(groupId, g -> new GroupUpdate());
  }
}
