package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import java.util.List;

/**
 * Runs the scheduling units in priority order against one shared {@link Admission}, so the
 * earlier units get the snapshot and operator budget first: repair, drain and decommission,
 * split, merge, then the balancers, which are skipped entirely while any range is
 * under-replicated or has a voter on a store that stopped responding (recovery before
 * rebalancing). Pure: the caller supplies the view and starts the returned operators.
 */
public final class Scheduler {
  private final List<PlacementScheduler> units;

  public Scheduler(List<PlacementScheduler> unitsInPriorityOrder) {
    this.units = List.copyOf(unitsInPriorityOrder);
  }

  public static Scheduler standard() {
    return new Scheduler(List.of(new RepairScheduler(), new DrainScheduler(),
        new SplitScheduler(), new MergeScheduler(), new ReplicaCountBalancer(),
        new ByteBalancer(), new LeaderCountBalancer(), new LeaderLoadBalancer()));
  }

  public List<PlacementScheduler> units() {
    return units;
  }

  public Plan schedule(ClusterView view) {
    Admission admission = new Admission(view);
    boolean recovering = RepairScheduler.recoveryPending(view);
    for (PlacementScheduler unit : units) {
      if (admission.full()) {
        break;
      }
      if (!(unit.rebalances() && recovering)) {
        unit.schedule(view, admission);
      }
    }
    return new Plan(admission.admitted(), DrainScheduler.progress(view),
        RepairScheduler.underReplicated(view));
  }
}
