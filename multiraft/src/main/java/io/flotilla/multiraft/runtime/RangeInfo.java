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
 */
public record RangeInfo(RangeDescriptor descriptor, long leader, long term, long applied,
    boolean quiescent, long commit, Map<Long, Long> match) {

  public RangeInfo {
    match = Map.copyOf(match);
  }

  /** Without commit and replication progress. */
  public RangeInfo(RangeDescriptor descriptor, long leader, long term, long applied,
      boolean quiescent) {
    this(descriptor, leader, term, applied, quiescent, 0, Map.of());
  }
}
