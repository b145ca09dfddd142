package io.flotilla.raft;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongUnaryOperator;

/**
 * The voters of a group: {@code incoming} alone, or during joint consensus both
 * {@code incoming} and {@code outgoing}, each of which must agree on its own.
 */
record JointConfig(Set<Long> incoming, Set<Long> outgoing) {
  JointConfig {
    incoming = Set.copyOf(incoming);
    outgoing = Set.copyOf(outgoing);
  }

  boolean isJoint() {
    return !outgoing.isEmpty();
  }

  boolean contains(long id) {
    return incoming.contains(id) || outgoing.contains(id);
  }

  /** All voters, sorted so that iteration (and so every message order) is deterministic. */
  Set<Long> ids() {
    TreeSet<Long> all = new TreeSet<>(incoming);
    all.addAll(outgoing);
    return all;
  }

  long committedIndex(LongUnaryOperator acked) {
    return Math.min(MajorityConfig.committedIndex(incoming, acked),
        MajorityConfig.committedIndex(outgoing, acked));
  }

  VoteResult voteResult(Map<Long, Boolean> votes) {
    VoteResult in = MajorityConfig.voteResult(incoming, votes);
    VoteResult out = MajorityConfig.voteResult(outgoing, votes);
    if (in == out) {
      return in;
    }
    if (in == VoteResult.LOST || out == VoteResult.LOST) {
      return VoteResult.LOST;
    }
    return VoteResult.PENDING;
  }
}
