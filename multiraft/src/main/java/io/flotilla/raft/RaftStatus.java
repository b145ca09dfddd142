package io.flotilla.raft;

import java.util.Map;

/**
 * A snapshot of one member's state, for observers, tests and the dashboard.
 *
 * @param id this member
 * @param hardState term, vote and commit
 * @param applied the highest index handed out for applying and acknowledged by advance
 * @param lastIndex the last index in the member's log (persisted or not)
 * @param role the member's role
 * @param leader the known leader, or {@link RaftNode#NONE}
 * @param confState the current membership
 * @param progress per-member replication progress; empty unless this member leads
 * @param leadTransferee the target of a leadership transfer in progress, or NONE
 */
public record RaftStatus(
    long id,
    HardState hardState,
    long applied,
    long lastIndex,
    Role role,
    long leader,
    ConfState confState,
    Map<Long, PeerProgress> progress,
    long leadTransferee) {

  /**
   * What the leader knows of one member's log.
   *
   * @param match the highest index known to be replicated there
   * @param next the next index to send
   * @param state probe, replicate or snapshot
   * @param learner whether the member is a learner
   */
  public record PeerProgress(long match, long next, String state, boolean learner) {}
}
