package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;

/** Where a new replica of a range should go. */
final class Targets {
  private Targets() {
  }

  /**
   * The target store with the fewest replicas (then bytes, then id) that does not hold the
   * range, has room for an operator and a snapshot, and, if {@code respectCooldown}, was not
   * left by the range within the cooldown; 0 if there is none.
   */
  static long forNewReplica(ClusterView view, Admission admission, RangeStats range,
      boolean respectCooldown) {
    long best = 0;
    for (long s : admission.targets()) {
      if (range.hasReplicaOn(s) || !admission.hasRoom(s) || !admission.canReceiveSnapshot(s)
          || respectCooldown && leftRecently(view, range.rangeId(), s)) {
        continue;
      }
      if (best == 0 || fewer(admission, s, best)) {
        best = s;
      }
    }
    return best;
  }

  /** Like {@link #forNewReplica}, falling back to a store in cooldown when nothing else fits:
   *  restoring redundancy matters more than avoiding a return. */
  static long forRepair(ClusterView view, Admission admission, RangeStats range) {
    long s = forNewReplica(view, admission, range, true);
    return s != 0 ? s : forNewReplica(view, admission, range, false);
  }

  static boolean leftRecently(ClusterView view, long rangeId, long storeId) {
    return view.history().replicaLeftWithin(rangeId, storeId, view.nowMillis(),
        view.settings().cooldownMillis());
  }

  private static boolean fewer(Admission admission, long a, long b) {
    int byCount = Integer.compare(admission.replicaCount(a), admission.replicaCount(b));
    if (byCount != 0) {
      return byCount < 0;
    }
    return admission.bytesOn(a) < admission.bytesOn(b);
  }
}
