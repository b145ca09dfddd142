package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.SplitRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits ranges above the split size in the middle of their bytes, and ranges above the split
 * load at their load split key (a hot range with no such key cannot be helped by a split and
 * is left whole). The most oversized go first.
 */
public final class SplitScheduler implements PlacementScheduler {
  private static final double MIB = 1 << 20;

  @Override
  public String name() {
    return "split";
  }

  @Override
  public boolean rebalances() {
    return false;
  }

  @Override
  public void schedule(ClusterView view, Admission admission) {
    PlacementSettings s = view.settings();
    List<RangeStats> candidates = new ArrayList<>();
    for (RangeStats r : view.ranges()) {
      if (r.leaderStore() != 0 && admission.isFree(r.rangeId()) && urgency(r, s) > 1) {
        candidates.add(r);
      }
    }
    candidates.sort(Comparator.comparingDouble((RangeStats r) -> -urgency(r, s))
        .thenComparingLong(RangeStats::rangeId));
    for (RangeStats r : candidates) {
      if (admission.full()) {
        return;
      }
      admission.admit(split(r, view));
    }
  }

  /** How far over its limits a range is; above 1 means it must be split. */
  private static double urgency(RangeStats r, PlacementSettings s) {
    double bySize = (double) r.approxBytes() / s.splitSizeBytes();
    double byLoad = r.strictlyContains(r.loadSplitKey())
        ? r.writesPerSec() / s.splitWritesPerSec() : 0;
    return Math.max(bySize, byLoad);
  }

  private static SplitRange split(RangeStats r, ClusterView view) {
    PlacementSettings s = view.settings();
    if (r.approxBytes() > s.splitSizeBytes()) {
      return new SplitRange(r, null, 0, "range %d holds %.1f MiB, above the split size %.1f MiB"
          .formatted(r.rangeId(), r.approxBytes() / MIB, s.splitSizeBytes() / MIB),
          view.nowMillis(), s);
    }
    // Kept split for a while: its load may dip before it is gone, and a merge then would only
    // be split again.
    return new SplitRange(r, r.loadSplitKey(), view.nowMillis() + s.loadSplitMergeDelayMillis(),
        "range %d takes %.0f writes/s, above %.0f".formatted(r.rangeId(), r.writesPerSec(),
            s.splitWritesPerSec()), view.nowMillis(), s);
  }
}
