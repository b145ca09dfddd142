package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.AddReplica;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.RemoveReplica;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Restores every range to its replica count: re-creates the replicas of dead stores elsewhere
 * (a move off the dead store, so the voter count never drops), adds missing voters, removes
 * surplus voters and learners left behind by failed operators. The ranges with the fewest live
 * voters go first. A range without a responsive quorum cannot change its members and is left
 * alone (the admission refuses it).
 */
public final class RepairScheduler implements PlacementScheduler {

  /** Ranges with a voter on a dead store or fewer voters than the setting asks. */
  public static int underReplicated(ClusterView view) {
    int n = 0;
    for (RangeStats r : view.ranges()) {
      if (isUnderReplicated(view, r)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Whether balancing must wait: a range is under-replicated, or has a voter on a store that
   * stopped responding but is not yet dead. Balancing then would spread replicas over the
   * stores left and have repair undo it once the silent store is declared dead.
   */
  public static boolean recoveryPending(ClusterView view) {
    for (RangeStats r : view.ranges()) {
      if (isUnderReplicated(view, r) || view.responsiveVoters(r) < r.voters().size()) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnderReplicated(ClusterView view, RangeStats r) {
    return r.voters().size() < view.settings().replicas()
        || view.liveVoters(r) < r.voters().size();
  }

  @Override
  public String name() {
    return "repair";
  }

  @Override
  public boolean rebalances() {
    return false;
  }

  @Override
  public void schedule(ClusterView view, Admission admission) {
    List<RangeStats> urgent = new ArrayList<>();
    List<RangeStats> tidy = new ArrayList<>();
    for (RangeStats r : view.ranges()) {
      if (!admission.isFree(r.rangeId())) {
        continue;
      }
      if (isUnderReplicated(view, r)) {
        urgent.add(r);
      } else if (!r.learners().isEmpty() || r.voters().size() > view.settings().replicas()) {
        tidy.add(r);
      }
    }
    urgent.sort(Comparator.comparingInt(view::liveVoters)
        .thenComparingLong(RangeStats::rangeId));
    for (RangeStats r : urgent) {
      if (admission.full()) {
        return;
      }
      Operator op = repair(view, admission, r);
      if (op == null && !r.learners().isEmpty()) {
        // No store to add a voter on: a learner a failed operator left (say, its range split
        // under it) may hold the only one. Removed now, that store is a target next round.
        op = tidy(view, r);
      }
      if (op != null) {
        admission.admit(op);
      }
    }
    for (RangeStats r : tidy) {
      if (admission.full()) {
        return;
      }
      admission.admit(tidy(view, r));
    }
  }

  private static Operator repair(ClusterView view, Admission admission, RangeStats r) {
    long target = Targets.forRepair(view, admission, r);
    if (target == 0) {
      return null;
    }
    int live = view.liveVoters(r);
    String state = "range " + r.rangeId() + " has " + live + " of "
        + view.settings().replicas() + " live voters";
    for (long v : r.voters()) {
      if (!view.isLive(v)) {
        return new MoveReplica(r, v, target, state + "; store " + v + " is dead",
            view.nowMillis(), view.settings());
      }
    }
    return new AddReplica(r, target, state, view.nowMillis(), view.settings());
  }

  private static Operator tidy(ClusterView view, RangeStats r) {
    if (!r.learners().isEmpty()) {
      long learner = r.learners().get(0);
      return new RemoveReplica(r, learner, "range " + r.rangeId() + " has a learner on store "
          + learner + " that no operator is promoting", view.nowMillis(), view.settings());
    }
    long surplus = r.voters().stream()
        .max(Comparator.comparing((Long v) -> !view.isTarget(v))
            .thenComparingInt(view::replicaCount))
        .orElseThrow();
    return new RemoveReplica(r, surplus, "range " + r.rangeId() + " has "
        + r.voters().size() + " voters, more than " + view.settings().replicas(),
        view.nowMillis(), view.settings());
  }
}
