package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import java.util.Comparator;
import java.util.List;

/**
 * Evens out the load (reads + writes per second) stores lead: hands the hottest range of a
 * store above the load band to the coolest voter, when the range's load is below the gap
 * between them (so the transfer lowers the sum of squared loads, and the same rule cannot hand
 * it back) and both stay inside the leader-count band. A range hotter than any gap stays: only
 * a split helps it.
 */
public final class LeaderLoadBalancer extends LeaderBalancer {

  @Override
  public String name() {
    return "leader-load";
  }

  @Override
  double measure(Admission admission, long store) {
    return admission.leaderLoad(store);
  }

  @Override
  List<RangeStats> candidates(ClusterView view, long source) {
    return view.ledBy(source).stream().filter(r -> r.load() > 0)
        .sorted(Comparator.comparingDouble(RangeStats::load).reversed()).toList();
  }

  @Override
  boolean warrantsTransfer(Admission admission, RangeStats r, long source, long target,
      Band leaders, Band load) {
    double s = admission.leaderLoad(source);
    double t = admission.leaderLoad(target);
    return s > load.hi() && s - t > r.load()
        && admission.leaderCount(target) + 1 <= leaders.hi()
        && admission.leaderCount(source) - 1 >= leaders.lo();
  }

  @Override
  String reason(Admission admission, long source, long target, Band leaders, Band load) {
    return "store %d leads %.0f ops/s, store %d leads %.0f (mean %.0f)".formatted(source,
        admission.leaderLoad(source), target, admission.leaderLoad(target), load.mean());
  }
}
