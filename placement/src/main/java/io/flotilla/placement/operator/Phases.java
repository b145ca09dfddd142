package io.flotilla.placement.operator;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import java.util.Arrays;

/** The phases operators are made of. Each checks the range it works on before anything else. */
final class Phases {
  private Phases() {
  }

  /** A phase on one range planned at one generation: a split or merge under it fails it. */
  abstract static class RangePhase extends Phase {
    final long rangeId;
    final long generation;

    RangePhase(String name, long timeoutMillis, long rangeId, long generation) {
      super(name, timeoutMillis);
      this.rangeId = rangeId;
      this.generation = generation;
    }

    @Override
    final Progress progress(ClusterView view) {
      RangeStats r = view.range(rangeId);
      if (r == null) {
        return Progress.failed("range " + rangeId + " no longer exists");
      }
      if (r.generation() != generation) {
        return Progress.failed("range " + rangeId + " changed generation from " + generation
            + " to " + r.generation() + " (split or merged)");
      }
      return check(r, view);
    }

    abstract Progress check(RangeStats r, ClusterView view);

    @Override
    final Step step(ClusterView view) {
      RangeStats r = view.range(rangeId);
      return r == null ? null : step(r, view);
    }

    abstract Step step(RangeStats r, ClusterView view);
  }

  static final class AddLearnerPhase extends RangePhase {
    private final long store;

    AddLearnerPhase(long timeoutMillis, long rangeId, long generation, long store) {
      super("add learner on store " + store, timeoutMillis, rangeId, generation);
      this.store = store;
    }

    @Override
    Progress check(RangeStats r, ClusterView view) {
      if (r.hasReplicaOn(store)) {
        return Progress.DONE;
      }
      return view.isLive(store) ? Progress.WAITING : Progress.failed("store " + store + " died");
    }

    @Override
    Step step(RangeStats r, ClusterView view) {
      return new AddLearner(rangeId, generation, store);
    }

    @Override
    long snapshotReceiver() {
      return store;
    }
  }

  /** Moves leadership off a store about to lose its replica, so the range never waits for an
   *  election after the leader removed itself. */
  static final class LeaderAwayPhase extends RangePhase {
    private final long store;

    LeaderAwayPhase(long timeoutMillis, long rangeId, long generation, long store) {
      super("move leader off store " + store, timeoutMillis, rangeId, generation);
      this.store = store;
    }

    @Override
    Progress check(RangeStats r, ClusterView view) {
      boolean alone = r.voters().size() == 1;
      return Progress.doneIf(alone || (r.leaderStore() != store && r.leaderStore() != 0));
    }

    @Override
    Step step(RangeStats r, ClusterView view) {
      long best = 0;
      for (long v : r.voters()) {
        if (v != store && view.isResponsive(v) && (best == 0 || view.isTarget(v)
            && view.leaderCount(v) < view.leaderCount(best))) {
          best = v;
        }
      }
      return best == 0 ? null : new TransferLeaderStep(rangeId, generation, best);
    }
  }

  static final class PromotePhase extends RangePhase {
    private final long store;
    private final long demote;

    PromotePhase(long timeoutMillis, long rangeId, long generation, long store, long demote) {
      super(demote == 0 ? "promote store " + store
          : "promote store " + store + ", demote store " + demote,
          timeoutMillis, rangeId, generation);
      this.store = store;
      this.demote = demote;
    }

    @Override
    Progress check(RangeStats r, ClusterView view) {
      if (!r.hasReplicaOn(store)) {
        return Progress.failed("the learner on store " + store + " disappeared");
      }
      return Progress.doneIf(r.voters().contains(store) && !r.voters().contains(demote));
    }

    @Override
    Step step(RangeStats r, ClusterView view) {
      return new Promote(rangeId, generation, store, demote);
    }
  }

  static final class RemovePhase extends RangePhase {
    private final long store;

    RemovePhase(long timeoutMillis, long rangeId, long generation, long store) {
      super("remove store " + store, timeoutMillis, rangeId, generation);
      this.store = store;
    }

    @Override
    Progress check(RangeStats r, ClusterView view) {
      return Progress.doneIf(!r.hasReplicaOn(store));
    }

    @Override
    Step step(RangeStats r, ClusterView view) {
      return new RemoveVoter(rangeId, generation, store);
    }
  }

  static final class TransferPhase extends RangePhase {
    private final long to;

    TransferPhase(long timeoutMillis, long rangeId, long generation, long to) {
      super("transfer leader to store " + to, timeoutMillis, rangeId, generation);
      this.to = to;
    }

    @Override
    Progress check(RangeStats r, ClusterView view) {
      if (r.leaderStore() == to) {
        return Progress.DONE;
      }
      if (!r.voters().contains(to)) {
        return Progress.failed("store " + to + " is no longer a voter");
      }
      return view.isResponsive(to) ? Progress.WAITING
          : Progress.failed("store " + to + " stopped responding");
    }

    @Override
    Step step(RangeStats r, ClusterView view) {
      return new TransferLeaderStep(rangeId, generation, to);
    }
  }

  /** Done when the range's generation moved on and (for a chosen key) it ends at the key. */
  static final class SplitPhase extends Phase {
    private final long rangeId;
    private final long generation;
    private final byte[] key;
    private final long stickyUntilMillis;

    SplitPhase(long timeoutMillis, long rangeId, long generation, byte[] key,
        long stickyUntilMillis) {
      super("split", timeoutMillis);
      this.rangeId = rangeId;
      this.generation = generation;
      this.key = key;
      this.stickyUntilMillis = stickyUntilMillis;
    }

    @Override
    Progress progress(ClusterView view) {
      RangeStats r = view.range(rangeId);
      if (r == null) {
        return Progress.failed("range " + rangeId + " no longer exists");
      }
      if (r.generation() == generation) {
        return Progress.WAITING;
      }
      return key == null || Arrays.equals(r.endKey(), key) ? Progress.DONE
          : Progress.failed("range " + rangeId + " changed generation from " + generation
              + " to " + r.generation() + " without splitting at the planned key");
    }

    @Override
    Step step(ClusterView view) {
      return new SplitAt(rangeId, generation, key, stickyUntilMillis);
    }
  }

  /** Done when the left range reaches the right one's old end and the right one is gone. */
  static final class MergePhase extends Phase {
    private final long left;
    private final long leftGeneration;
    private final long right;
    private final long rightGeneration;
    private final byte[] rightEnd;

    MergePhase(long timeoutMillis, long left, long leftGeneration, long right,
        long rightGeneration, byte[] rightEnd) {
      super("merge", timeoutMillis);
      this.left = left;
      this.leftGeneration = leftGeneration;
      this.right = right;
      this.rightGeneration = rightGeneration;
      this.rightEnd = rightEnd;
    }

    @Override
    Progress progress(ClusterView view) {
      RangeStats l = view.range(left);
      RangeStats r = view.range(right);
      if (l == null) {
        return Progress.failed("range " + left + " no longer exists");
      }
      if (l.generation() == leftGeneration) {
        return r != null && r.generation() == rightGeneration ? Progress.WAITING
            : Progress.failed("range " + right + " split, merged or vanished meanwhile");
      }
      return r == null && Arrays.equals(l.endKey(), rightEnd) ? Progress.DONE
          : Progress.failed("range " + left + " changed generation from " + leftGeneration
              + " to " + l.generation() + " without absorbing range " + right);
    }

    @Override
    Step step(ClusterView view) {
      return new MergeStep(left, leftGeneration, right, rightGeneration);
    }
  }
}
