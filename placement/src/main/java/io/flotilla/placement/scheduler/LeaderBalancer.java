package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.TransferLeader;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The search both leader balancers share: take the store leading the most (by the balancer's
 * measure), walk the ranges it leads, and let the balancer choose a voter to hand one to.
 * Leadership only moves between voters, so no data moves; a source that yields nothing is set
 * aside for the pass.
 */
abstract class LeaderBalancer implements PlacementScheduler {

  @Override
  public final boolean rebalances() {
    return true;
  }

  @Override
  public final void schedule(ClusterView view, Admission admission) {
    List<Long> stores = admission.targets();
    if (stores.size() < 2) {
      return;
    }
    Band leaders = leaderBand(view, stores);
    Band load = loadBand(view, stores);
    Set<Long> setAside = new HashSet<>();
    while (!admission.full()) {
      Long source = stores.stream().filter(s -> !setAside.contains(s))
          .max(Comparator.comparingDouble((Long s) -> measure(admission, s))
              .thenComparingLong(s -> -s))
          .orElse(null);
      if (source == null) {
        return;
      }
      if (!admission.hasRoom(source) || !transferFrom(view, admission, source, leaders, load)) {
        setAside.add(source);
      }
    }
  }

  private boolean transferFrom(ClusterView view, Admission admission, long source, Band leaders,
      Band load) {
    for (RangeStats r : candidates(view, source)) {
      if (!admission.isFree(r.rangeId()) || r.isSystemRange()) {
        continue;
      }
      long best = 0;
      for (long v : r.voters()) {
        if (v != source && view.isTarget(v) && admission.hasRoom(v)
            && !view.history().leaderLeftWithin(r.rangeId(), v, view.nowMillis(),
                view.settings().cooldownMillis())
            && warrantsTransfer(admission, r, source, v, leaders, load)
            && (best == 0 || measure(admission, v) < measure(admission, best))) {
          best = v;
        }
      }
      if (best != 0 && admission.admit(new TransferLeader(r, best,
          reason(admission, source, best, leaders, load), view.nowMillis(), view.settings()))) {
        return true;
      }
    }
    return false;
  }

  static Band leaderBand(ClusterView view, List<Long> stores) {
    return Band.forCount((double) view.ranges().size() / stores.size(),
        view.settings().leaderTolerance());
  }

  static Band loadBand(ClusterView view, List<Long> stores) {
    double total = 0;
    for (RangeStats r : view.ranges()) {
      total += r.load();
    }
    return Band.forAmount(total / stores.size(), view.settings().leaderLoadTolerance());
  }

  abstract double measure(Admission admission, long store);

  /** The ranges {@code source} leads, in the order to try them. */
  abstract List<RangeStats> candidates(ClusterView view, long source);

  abstract boolean warrantsTransfer(Admission admission, RangeStats r, long source, long target,
      Band leaders, Band load);

  abstract String reason(Admission admission, long source, long target, Band leaders,
      Band load);
}
