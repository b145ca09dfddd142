package io.flotilla.raft;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Computes the membership and progress that result from a {@link ConfChange}, without touching
 * the tracker or any {@link Progress} in it: the caller installs the result only if every check
 * passed (and sets the learner flags then). Invalid changes throw IllegalArgumentException
 * naming the problem.
 */
final class Changer {
  private final Set<Long> incoming;
  private final Set<Long> outgoing;
  private final Set<Long> learners;
  private final Set<Long> learnersNext;
  private boolean autoLeave;
  private final TreeMap<Long, Progress> progress;
  private final long lastIndex;
  private final int maxInflight;

  Changer(ProgressTracker tracker, long lastIndex) {
    TrackerConfig c = tracker.config();
    incoming = new HashSet<>(c.voters().incoming());
    outgoing = new HashSet<>(c.voters().outgoing());
    learners = new HashSet<>(c.learners());
    learnersNext = new HashSet<>(c.learnersNext());
    autoLeave = c.autoLeave();
    progress = new TreeMap<>(tracker.progress());
    this.lastIndex = lastIndex;
    this.maxInflight = tracker.maxInflight();
  }

  /** Applies {@code cc} as it would be applied from the log: simple, enter joint, or leave. */
  Changer apply(ConfChange cc) {
    if (incoming.isEmpty() && outgoing.isEmpty()) {
      throw new IllegalArgumentException("this member has no configuration yet; it must"
          + " receive the group's snapshot before it can apply membership changes");
    }
    if (cc.isLeaveJoint()) {
      leaveJoint();
    } else if (cc.entersJoint()) {
      enterJoint(cc.autoLeave(), cc.changes());
    } else {
      simple(cc.changes());
    }
    return this;
  }

  TrackerConfig config() {
    return new TrackerConfig(new JointConfig(incoming, outgoing), learners, learnersNext,
        autoLeave);
  }

  TreeMap<Long, Progress> progress() {
    return progress;
  }

  private void enterJoint(boolean leaveAutomatically, List<ConfChange.Change> changes) {
    if (!outgoing.isEmpty()) {
      throw new IllegalArgumentException("configuration is already joint");
    }
    if (incoming.isEmpty()) {
      throw new IllegalArgumentException("cannot make a zero-voter configuration joint");
    }
    outgoing.addAll(incoming);
    applyChanges(changes);
    autoLeave = leaveAutomatically;
    check();
  }

  private void leaveJoint() {
    if (outgoing.isEmpty()) {
      throw new IllegalArgumentException("configuration is not joint");
    }
    learners.addAll(learnersNext);
    learnersNext.clear();
    for (long id : outgoing) {
      if (!incoming.contains(id) && !learners.contains(id)) {
        progress.remove(id);
      }
    }
    outgoing.clear();
    autoLeave = false;
    check();
  }

  private void simple(List<ConfChange.Change> changes) {
    if (!outgoing.isEmpty()) {
      throw new IllegalArgumentException("cannot apply a simple change in a joint configuration");
    }
    Set<Long> before = new HashSet<>(incoming);
    applyChanges(changes);
    Set<Long> changed = new HashSet<>(before);
    changed.addAll(incoming);
    Set<Long> both = new HashSet<>(before);
    both.retainAll(incoming);
    changed.removeAll(both);
    if (changed.size() > 1) {
      throw new IllegalArgumentException(
          "more than one voter changed without joint consensus: " + changed);
    }
    check();
  }

  private void applyChanges(List<ConfChange.Change> changes) {
    for (ConfChange.Change c : changes) {
      if (c.nodeId() == RaftNode.NONE) {
        throw new IllegalArgumentException("member id " + RaftNode.NONE + " is reserved");
      }
      switch (c.type()) {
        case ADD_VOTER -> makeVoter(c.nodeId());
        case ADD_LEARNER -> makeLearner(c.nodeId());
        case REMOVE -> remove(c.nodeId());
      }
    }
    if (incoming.isEmpty()) {
      throw new IllegalArgumentException("removing all voters is not allowed");
    }
  }

  private void makeVoter(long id) {
    progress.putIfAbsent(id, newProgress(false));
    learners.remove(id);
    learnersNext.remove(id);
    incoming.add(id);
  }

  private void makeLearner(long id) {
    if (learners.contains(id)) {
      return;
    }
    progress.putIfAbsent(id, newProgress(true));
    incoming.remove(id);
    if (outgoing.contains(id)) {
      // Still a voter of the outgoing half: it can only turn learner when the joint config ends.
      learnersNext.add(id);
    } else {
      learners.add(id);
    }
  }

  private void remove(long id) {
    incoming.remove(id);
    learners.remove(id);
    learnersNext.remove(id);
    if (!outgoing.contains(id)) {
      progress.remove(id);
    }
  }

  private Progress newProgress(boolean learner) {
    // Probe from the leader's last index; a member heard of just now counts as active so that
    // CheckQuorum does not count it against the leader before it had a chance to answer.
    Progress p = new Progress(Math.max(lastIndex, 1), maxInflight, learner);
    p.recentActive = true;
    return p;
  }

  private void check() {
    for (long id : learners) {
      if (incoming.contains(id) || outgoing.contains(id)) {
        throw new IllegalArgumentException(id + " is both a learner and a voter");
      }
    }
    for (long id : learnersNext) {
      if (!outgoing.contains(id) || incoming.contains(id)) {
        throw new IllegalArgumentException(id + " is a next-learner but not an outgoing voter");
      }
    }
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      boolean member = incoming.contains(e.getKey()) || outgoing.contains(e.getKey())
          || learners.contains(e.getKey()) || learnersNext.contains(e.getKey());
      if (!member) {
        throw new IllegalStateException("progress kept for non-member " + e.getKey());
      }
    }
  }
}
