package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;

/**
 * Evens out replica counts: moves from a store above the band (or to one below it) when the
 * source holds at least two more than the target. Among the first movable ranges it picks the
 * one that leaves the two stores' bytes closest, so it does not undo the byte balance.
 */
public final class ReplicaCountBalancer extends ReplicaBalancer {
  /** Candidates weighed per move: enough for a good byte fit, bounded for speed. */
  private static final int CANDIDATES = 16;

  @Override
  public String name() {
    return "replica-count";
  }

  @Override
  double measure(Admission admission, long store) {
    return admission.replicaCount(store);
  }

  @Override
  boolean warrantsMove(Admission admission, long source, long target, Band counts,
      Band bytes) {
    int s = admission.replicaCount(source);
    int t = admission.replicaCount(target);
    return s - t >= 2 && counts.warrantsMove(s, t);
  }

  @Override
  RangeStats pick(ClusterView view, Admission admission, long source, long target,
      Band counts, Band bytes) {
    long sourceBytes = admission.bytesOn(source);
    long targetBytes = admission.bytesOn(target);
    RangeStats best = null;
    long bestGap = Long.MAX_VALUE;
    int seen = 0;
    for (RangeStats r : view.replicasOn(source)) {
      if (!movable(view, admission, r, source, target)) {
        continue;
      }
      long gap = Math.abs((sourceBytes - r.approxBytes()) - (targetBytes + r.approxBytes()));
      if (gap < bestGap) {
        best = r;
        bestGap = gap;
      }
      if (++seen == CANDIDATES) {
        break;
      }
    }
    return best;
  }

  @Override
  String reason(Admission admission, long source, long target, Band counts, Band bytes) {
    return "store %d has %d replicas, store %d has %d (%s)".formatted(source,
        admission.replicaCount(source), target, admission.replicaCount(target), counts);
  }
}
