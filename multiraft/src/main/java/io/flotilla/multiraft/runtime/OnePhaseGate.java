package io.flotilla.multiraft.runtime;

import java.util.TreeMap;

/**
 * Keeps one-phase commits from changing what a snapshot read already saw. A one-phase commit
 * takes its commit timestamp from the TSO before it reaches the range, without a lock in
 * between: a read at a later timestamp that the leader served first would have missed it, and
 * a read after it applies would not. So the range's leader (one per term) admits a one-phase
 * commit only if its commit timestamp is above every read timestamp it has served, and holds a
 * read back until the one-phase commits it admitted below that read's timestamp have applied.
 *
 * <p>Reads served by earlier leaders are bounded by a TSO timestamp the leader fetches after it
 * was elected: every such read had its timestamp before the election, since an old leader
 * confirms its leadership for each read (ReadIndex). Until that timestamp is in, the leader
 * admits no one-phase commit: the client commits in two phases instead, whose locks readers
 * see. This is TiKV's "max_ts" sync on a leader change, without its reliance on clocks.
 *
 * <p>A merge hands the leader a span whose reads other gates saw (the right range's leaders),
 * so it syncs again, with a timestamp fetched after the merge applied here: the right range
 * served no read after its freeze, which came before the merge, and every read it served had
 * its timestamp before it arrived.
 *
 * <p>Used on the raft thread only.
 */
final class OnePhaseGate {
  /** The newest read timestamp this replica served (or promised to serve) while leading. */
  private long maxReadTs;
  /** The term whose leadership synced {@link #maxReadTs} with the TSO; -1: none. */
  private long syncedTerm = -1;
  private long syncStartedMillis = Long.MIN_VALUE / 2;
  /** Merges applied here: a sync that started before the last one proves nothing. */
  private long merges;
  static final long SYNC_GIVE_UP_MILLIS = 5_000;
  /** One-phase commits admitted and proposed here, by log index: their commit timestamps. */
  private final TreeMap<Long, Long> pending = new TreeMap<>();

  /** A read at {@code readTs} arrived at this leader. */
  void observeRead(long readTs) {
    maxReadTs = Math.max(maxReadTs, readTs);
  }

  /** Why a one-phase commit at {@code commitTs} is refused in {@code term}, or null. */
  String refusal(long commitTs, long term) {
    if (syncedTerm != term) {
      return "the range's leader has not yet learned a timestamp above the reads earlier"
          + " leaders served; commit in two phases";
    }
    if (commitTs <= maxReadTs) {
      return "a read at " + maxReadTs + " was served: a one-phase commit at " + commitTs
          + " would change what it saw; commit in two phases";
    }
    return null;
  }

  /**
   * Whether a sync with the TSO should start now: none succeeded for this term and none runs
   * (one whose answer never came back counts as lost after {@link #SYNC_GIVE_UP_MILLIS}).
   */
  boolean startSync(long term, long nowMillis) {
    if (syncedTerm == term || nowMillis - syncStartedMillis < SYNC_GIVE_UP_MILLIS) {
      return false;
    }
    syncStartedMillis = nowMillis;
    return true;
  }

  /** What a sync starting now passes back to {@link #synced}. */
  long merges() {
    return merges;
  }

  /**
   * A TSO timestamp fetched after this replica became leader in {@code term} (0: failed), by a
   * sync that started when {@link #merges} was {@code mergesAtStart}.
   */
  void synced(long term, long mergesAtStart, long tsoTs, boolean stillLeading) {
    if (mergesAtStart != merges) {
      return; // started before a merge: its timestamp may be below a read of the right range
    }
    syncStartedMillis = Long.MIN_VALUE / 2;
    if (stillLeading && tsoTs > 0) {
      maxReadTs = Math.max(maxReadTs, tsoTs);
      syncedTerm = term;
    }
  }

  void proposed(long index, long commitTs) {
    pending.merge(index, commitTs, Math::max);
  }

  void applied(long index) {
    pending.headMap(index, true).clear();
  }

  /** The log index a read at {@code readTs} must wait for besides its read index, or 0. */
  long barrier(long readTs) {
    long index = 0;
    for (var e : pending.entrySet()) {
      if (e.getValue() <= readTs) {
        index = e.getKey();
      }
    }
    return index;
  }

  /** The range took its right neighbour's span: no one-phase commit until synced again. */
  void merged() {
    merges++;
    syncedTerm = -1;
    syncStartedMillis = Long.MIN_VALUE / 2;
  }

  /** Leadership ended: entries proposed here may commit under the next leader or never. */
  void leadershipLost() {
    pending.clear();
    syncedTerm = -1;
  }
}
