package io.flotilla.raft;

import java.util.Set;

/**
 * The membership a log position is governed by.
 *
 * @param voters the incoming voters (the only voters outside a joint configuration)
 * @param votersOutgoing the outgoing voters while in a joint configuration, else empty
 * @param learners non-voting members
 * @param learnersNext voters of the outgoing config that become learners when the joint
 *     configuration is left
 * @param autoLeave whether the leader proposes leaving the joint configuration by itself
 */
public record ConfState(
    Set<Long> voters,
    Set<Long> votersOutgoing,
    Set<Long> learners,
    Set<Long> learnersNext,
    boolean autoLeave) {
  public static final ConfState EMPTY = new ConfState(Set.of(), Set.of(), Set.of(), Set.of(), false);

  public ConfState {
    voters = Set.copyOf(voters);
    votersOutgoing = Set.copyOf(votersOutgoing);
    learners = Set.copyOf(learners);
    learnersNext = Set.copyOf(learnersNext);
  }

  public static ConfState ofVoters(Long... ids) {
    return new ConfState(Set.of(ids), Set.of(), Set.of(), Set.of(), false);
  }

  public boolean isJoint() {
    return !votersOutgoing.isEmpty();
  }
}
