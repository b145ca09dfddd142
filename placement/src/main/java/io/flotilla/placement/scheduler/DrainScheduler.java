package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.model.StoreState;
import io.flotilla.placement.model.StoreStats;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.TransferLeader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Empties stores the operator is taking out: a DRAINING or DECOMMISSIONING store hands its
 * leaders to other voters first; once it leads nothing, a DECOMMISSIONING store's replicas move
 * to the emptiest target stores. {@link #progress} says when a store may be marked
 * DECOMMISSIONED: only when it holds no replica.
 */
public final class DrainScheduler implements PlacementScheduler {

  public static List<DecommissionProgress> progress(ClusterView view) {
    List<DecommissionProgress> progress = new ArrayList<>();
    for (StoreStats s : leaving(view)) {
      if (s.state() == StoreState.DECOMMISSIONING) {
        progress.add(new DecommissionProgress(s.storeId(), view.replicasOn(s.storeId()).size(),
            view.ledBy(s.storeId()).size()));
      }
    }
    return progress;
  }

  private static List<StoreStats> leaving(ClusterView view) {
    return view.stores().values().stream()
        .filter(s -> s.state() == StoreState.DRAINING || s.state() == StoreState.DECOMMISSIONING)
        .sorted(Comparator.comparingLong(StoreStats::storeId))
        .toList();
  }

  @Override
  public String name() {
    return "drain";
  }

  @Override
  public boolean rebalances() {
    return false;
  }

  @Override
  public void schedule(ClusterView view, Admission admission) {
    for (StoreStats s : leaving(view)) {
      long store = s.storeId();
      String why = "store " + store + " is " + s.state().name().toLowerCase();
      List<RangeStats> led = view.ledBy(store);
      if (!led.isEmpty()) {
        for (RangeStats r : led) {
          long to = newLeader(view, admission, r, store);
          if (to != 0 && admission.isFree(r.rangeId())) {
            admission.admit(new TransferLeader(r, to, why + ", " + led.size() + " leaders left",
                view.nowMillis(), view.settings()));
          }
        }
      } else if (s.state() == StoreState.DECOMMISSIONING) {
        List<RangeStats> held = view.replicasOn(store);
        for (RangeStats r : held) {
          if (admission.full() || !admission.hasRoom(store)) {
            break;
          }
          long to = admission.isFree(r.rangeId())
              ? Targets.forNewReplica(view, admission, r, true) : 0;
          if (to != 0) {
            admission.admit(new MoveReplica(r, store, to, why + ", " + held.size()
                + " replicas left", view.nowMillis(), view.settings()));
          }
        }
      }
    }
  }

  private static long newLeader(ClusterView view, Admission admission, RangeStats r,
      long from) {
    return r.voters().stream()
        .filter(v -> v != from && view.isTarget(v) && admission.hasRoom(v))
        .min(Comparator.comparingInt(admission::leaderCount).thenComparingLong(v -> v))
        .orElse(0L);
  }
}
