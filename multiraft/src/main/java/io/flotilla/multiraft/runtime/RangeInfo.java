package io.flotilla.multiraft.runtime;

import java.util.Map;

/**
 * What this node knows of one of its ranges, published after every cycle for readers outside
 * the raft thread (routing, status, metrics, replication decisions).
 *
 * @param descriptor the range's span and members
 * @param leader the known leader's node id, or 0
 * @param term the replica's term
 * @param applied the applied index
 * @param quiescent whether the replica stopped ticking
 * @param commit the replica's commit index
 * @param match while this replica leads: every member's (itself included) highest index known
 *     to be replicated there; empty otherwise
 * @param reads reads this replica served as leader since it opened
 * @param writes writes it accepted as leader since it opened
 * @param writeBytes the bytes of those writes' commands
 * @param loadSplitKey a key with about as many of the recent requests on either side, or null
 * @param freeze the range's freeze for a merge into its left neighbour, null if it is not frozen
 */
public record RangeInfo(RangeDescriptor descriptor, long leader, long term, long applied,
    boolean quiescent, long commit, Map<Long, Long> match, long reads, long writes,
    long writeBytes, byte[] loadSplitKey, MergeFreeze freeze) {

  public RangeInfo {
    match = Map.copyOf(match);
  }

  /** The index of the entry that froze the range for a merge, 0 if it is not frozen. */
  public long frozenAt() {
    return freeze == null ? 0 : freeze.index();
  }

  /** Without load counts. */
  public RangeInfo(RangeDescriptor descriptor, long leader, long term, long applied,
      boolean quiescent, long commit, Map<Long, Long> match) {
    this(descriptor, leader, term, applied, quiescent, commit, match, 0, 0, 0, null, null);
  }

  /** Without commit and replication progress. */
  public RangeInfo(RangeDescriptor descriptor, long leader, long term, long applied,
      boolean quiescent) {
    this(descriptor, leader, term, applied, quiescent, 0, Map.of());
  }
}
