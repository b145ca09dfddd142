package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;

/**
 * Evens out the bytes stores hold: from a store above the byte band (or to a target below it),
 * moves the range whose size is nearest half the gap between them, and only ranges smaller
 * than the gap, so every move lowers the sum of squared store sizes (the balancing ends) and
 * the same rule never moves the range back. Both stores must stay inside the count band.
 */
public final class ByteBalancer extends ReplicaBalancer {
  private static final double MIB = 1 << 20;

  @Override
  public String name() {
    return "replica-bytes";
  }

  @Override
  double measure(Admission admission, long store) {
    return admission.bytesOn(store);
  }

  @Override
  boolean warrantsMove(Admission admission, long source, long target, Band counts,
      Band bytes) {
    return bytes.warrantsMove(admission.bytesOn(source), admission.bytesOn(target))
        && admission.replicaCount(target) + 1 <= counts.hi()
        && admission.replicaCount(source) - 1 >= counts.lo();
  }

  @Override
  RangeStats pick(ClusterView view, Admission admission, long source, long target,
      Band counts, Band bytes) {
    long gap = admission.bytesOn(source) - admission.bytesOn(target);
    RangeStats best = null;
    long bestGain = 0;
    for (RangeStats r : view.replicasOn(source)) {
      long b = r.approxBytes();
      long gain = Math.min(b, gap - b);
      if (gain > bestGain && movable(view, admission, r, source, target)) {
        best = r;
        bestGain = gain;
      }
    }
    return best;
  }

  @Override
  String reason(Admission admission, long source, long target, Band counts, Band bytes) {
    return "store %d holds %.0f MiB, store %d holds %.0f MiB (mean %.0f MiB)".formatted(source,
        admission.bytesOn(source) / MIB, target, admission.bytesOn(target) / MIB,
        bytes.mean() / MIB);
  }
}
