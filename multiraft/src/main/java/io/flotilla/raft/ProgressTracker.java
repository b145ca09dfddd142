package io.flotilla.raft;

import java.util.Map;
import java.util.TreeMap;

/**
 * The membership of a group with, for each member, the leader's view of its log, plus the
 * votes of the election in progress. Maps are sorted so every iteration order, and so every
 * message order, is deterministic.
 */
final class ProgressTracker {
  private final int maxInflight;
  private TrackerConfig config;
  private TreeMap<Long, Progress> progress = new TreeMap<>();
  private final TreeMap<Long, Boolean> votes = new TreeMap<>();

  ProgressTracker(int maxInflight, ConfState cs, long lastIndex) {
    this.maxInflight = maxInflight;
    restore(cs, lastIndex);
  }

  /** Replaces the membership wholesale, e.g. from a snapshot; progress restarts in probe. */
  void restore(ConfState cs, long lastIndex) {
    config = TrackerConfig.of(cs);
    progress = new TreeMap<>();
    for (long id : config.allIds()) {
      progress.put(id, new Progress(lastIndex + 1, maxInflight, config.learners().contains(id)));
    }
  }

  void apply(TrackerConfig newConfig, TreeMap<Long, Progress> newProgress) {
    config = newConfig;
    progress = newProgress;
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      e.getValue().learner = config.learners().contains(e.getKey());
    }
  }

  TrackerConfig config() {
    return config;
  }

  Map<Long, Progress> progress() {
    return progress;
  }

  Progress get(long id) {
    return progress.get(id);
  }

  int maxInflight() {
    return maxInflight;
  }

  boolean isVoter(long id) {
    return config.voters().contains(id);
  }

  /** Whether {@code id} is the only voter, so it can decide alone. */
  boolean isSingleton(long id) {
    return !config.isJoint() && config.voters().incoming().size() == 1
        && config.voters().incoming().contains(id);
  }

  /** The highest index a quorum of voters has durably appended. */
  long committedIndex() {
    return config.voters().committedIndex(id -> {
      Progress p = progress.get(id);
      return p == null ? 0 : p.match;
    });
  }

  /** Whether a quorum was heard from in the last election timeout (self counts as active). */
  boolean quorumActive(long self) {
    TreeMap<Long, Boolean> active = new TreeMap<>();
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      if (!e.getValue().learner) {
        active.put(e.getKey(), e.getKey() == self || e.getValue().recentActive);
      }
    }
    return config.voters().voteResult(active) == VoteResult.WON;
  }

  void resetRecentActive(long self) {
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      e.getValue().recentActive = e.getKey() == self;
    }
  }

  void resetVotes() {
    votes.clear();
  }

  /** Records a vote (the first one per voter counts) and tallies the election. */
  VoteResult recordVote(long id, boolean granted) {
    votes.putIfAbsent(id, granted);
    return config.voters().voteResult(votes);
  }
}
