package io.flotilla.multiraft.runtime;

import io.flotilla.kv.GroupLog;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.raft.RaftStatus;
import io.flotilla.raft.Role;
import java.util.Map;

/**
 * Bounds each range's Raft log: once a replica's applied index runs {@code logCompactEntries}
 * ahead of the log's start (or {@code logCompactBytes} were applied since the last compaction),
 * the prefix up to the applied index minus a retained tail is discarded. A leader also keeps
 * what a live follower (probing or replicating) still needs, unless that follower lags by more
 * than {@link #LAG_FACTOR} thresholds or the log is over its byte bound: then it gets a snapshot
 * instead. Runs on the raft thread, right after a replica applied.
 *
 * <p>Crash safety: the compaction ({@link RaftLogStore#compact}, an unsynced write) never goes
 * beyond the applied index, and is written after the apply state that recorded that index.
 * RocksDB recovers a prefix of its write-ahead log, so after a crash the log's start is never
 * ahead of the applied index; at worst the compaction is lost and happens again.
 */
final class LogCompactor {
  /** A follower further behind than this many thresholds no longer holds the log back. */
  static final int LAG_FACTOR = 4;

  private final RaftLogStore logs;
  private final RuntimeOptions options;

  LogCompactor(RaftLogStore logs, RuntimeOptions options) {
    this.logs = logs;
    this.options = options;
  }

  /** Compacts {@code r}'s log if it outgrew the thresholds; returns whether it did. */
  boolean afterApply(Replica r) {
    GroupLog log = logs.group(r.rangeId);
    long truncated = log.firstIndex() - 1;
    boolean overBytes = r.bytesSinceCompaction > options.logCompactBytes();
    if (r.applied - truncated <= options.logCompactEntries() && !overBytes) {
      return false;
    }
    long target = Math.min(r.applied - options.logCompactEntries() / 4, log.lastIndex());
    if (r.node.role() == Role.LEADER && !overBytes) {
      target = keepForFollowers(r, target);
    }
    if (target <= truncated || target < r.lastConfChange) {
      // Nothing to gain, or a conf change inside the tail: the membership recorded with the
      // prefix would not be the descriptor's. Both pass as the log grows.
      return false;
    }
    logs.compact(r.rangeId, target, r.descriptor.members().encode());
    r.bytesSinceCompaction = 0;
    return true;
  }

  private long keepForFollowers(Replica r, long target) {
    long maxLag = (long) LAG_FACTOR * options.logCompactEntries();
    for (Map.Entry<Long, RaftStatus.PeerProgress> e : r.node.status().progress().entrySet()) {
      RaftStatus.PeerProgress p = e.getValue();
      boolean catchingUp = p.state().equals("probe") || p.state().equals("replicate");
      if (e.getKey() != r.node.id() && catchingUp && r.applied - p.match() <= maxLag) {
        target = Math.min(target, p.match());
      }
    }
    return target;
  }
}
