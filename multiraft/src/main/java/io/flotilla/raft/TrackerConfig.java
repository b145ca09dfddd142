package io.flotilla.raft;

import java.util.Set;
import java.util.TreeSet;

/**
 * A group's membership as the leader tracks it: voters (joint or not), learners, and the
 * outgoing voters that become learners once the joint configuration is left.
 */
record TrackerConfig(JointConfig voters, Set<Long> learners, Set<Long> learnersNext,
    boolean autoLeave) {

  TrackerConfig {
    learners = Set.copyOf(learners);
    learnersNext = Set.copyOf(learnersNext);
  }

  static TrackerConfig of(ConfState cs) {
    return new TrackerConfig(new JointConfig(cs.voters(), cs.votersOutgoing()), cs.learners(),
        cs.learnersNext(), cs.autoLeave());
  }

  ConfState toConfState() {
    return new ConfState(voters.incoming(), voters.outgoing(), learners, learnersNext, autoLeave);
  }

  /** Every member, voter or learner, sorted. */
  Set<Long> allIds() {
    TreeSet<Long> all = new TreeSet<>(voters.ids());
    all.addAll(learners);
    all.addAll(learnersNext);
    return all;
  }

  boolean isJoint() {
    return voters.isJoint();
  }
}
