package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.MoveReplica;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The search both replica balancers share: repeatedly take the fullest store (by the
 * balancer's measure) and the emptiest targets that still warrant a move from it, and let the
 * balancer pick a range to move; a source that yields nothing is set aside for the pass.
 */
abstract class ReplicaBalancer implements PlacementScheduler {
  /** Targets tried per source before it is set aside, to bound a pass's work. */
  private static final int TARGETS_PER_SOURCE = 8;

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
    Band counts = countBand(view, stores);
    Band bytes = byteBand(view, stores);
    Set<Long> setAside = new HashSet<>();
    while (!admission.full()) {
      Long source = stores.stream().filter(s -> !setAside.contains(s))
          .max(Comparator.comparingDouble((Long s) -> measure(admission, s))
              .thenComparingLong(s -> -s))
          .orElse(null);
      if (source == null) {
        return;
      }
      if (!admission.hasRoom(source) || !moveFrom(view, admission, source, stores, counts, bytes)) {
        setAside.add(source);
      }
    }
  }

  private boolean moveFrom(ClusterView view, Admission admission, long source,
      List<Long> stores, Band counts, Band bytes) {
    List<Long> targets = stores.stream()
        .sorted(Comparator.comparingDouble((Long s) -> measure(admission, s))
            .thenComparingLong(s -> s))
        .toList();
    int tried = 0;
    for (long target : targets) {
      if (target == source) {
        continue;
      }
      if (!warrantsMove(admission, source, target, counts, bytes)) {
        return false;
      }
      if (!admission.hasRoom(target) || !admission.canReceiveSnapshot(target)) {
        continue;
      }
      if (++tried > TARGETS_PER_SOURCE) {
        return false;
      }
      RangeStats r = pick(view, admission, source, target, counts, bytes);
      if (r != null && admission.admit(new MoveReplica(r, source, target,
          reason(admission, source, target, counts, bytes), view.nowMillis(),
          view.settings()))) {
        return true;
      }
    }
    return false;
  }

  static Band countBand(ClusterView view, List<Long> stores) {
    return Band.forCount((double) view.desiredReplicas() / stores.size(),
        view.settings().replicaTolerance());
  }

  static Band byteBand(ClusterView view, List<Long> stores) {
    double total = 0;
    for (RangeStats r : view.ranges()) {
      total += r.approxBytes();
    }
    return Band.forAmount(total * view.settings().replicas() / stores.size(),
        view.settings().byteTolerance());
  }

  /**
   * Whether {@code r} could move from its store to {@code target} at all. Balance never moves
   * the system range's leader's replica: that would move the driver itself in the middle of its
   * own operators (drain, decommission and repair still may).
   */
  static boolean movable(ClusterView view, Admission admission, RangeStats r, long source,
      long target) {
    return admission.isFree(r.rangeId()) && r.learners().isEmpty() && !r.hasReplicaOn(target)
        && !(r.isSystemRange() && r.leaderStore() == source)
        && !Targets.leftRecently(view, r.rangeId(), target)
        && admission.canSendSnapshot(r.leaderStore())
        && view.hasResponsiveQuorum(r.voters());
  }

  /** The store's load by this balancer's measure. */
  abstract double measure(Admission admission, long store);

  abstract boolean warrantsMove(Admission admission, long source, long target, Band counts,
      Band bytes);

  /** A range on {@code source} to move to {@code target}, or null. */
  abstract RangeStats pick(ClusterView view, Admission admission, long source, long target,
      Band counts, Band bytes);

  abstract String reason(Admission admission, long source, long target, Band counts,
      Band bytes);
}
