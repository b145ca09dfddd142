package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import java.util.List;

/**
 * Evens out leader counts with transfers: from a store above the band (or to one below it)
 * when the source leads at least two more than the target, and only if the target's leader
 * load stays inside the load band (or the range carries no load), so the load balancer has no
 * reason to send it back.
 */
public final class LeaderCountBalancer extends LeaderBalancer {

  @Override
  public String name() {
    return "leader-count";
  }

  @Override
  double measure(Admission admission, long store) {
    return admission.leaderCount(store);
  }

  @Override
  List<RangeStats> candidates(ClusterView view, long source) {
    return view.ledBy(source);
  }

  @Override
  boolean warrantsTransfer(Admission admission, RangeStats r, long source, long target,
      Band leaders, Band load) {
    int s = admission.leaderCount(source);
    int t = admission.leaderCount(target);
    return s - t >= 2 && leaders.warrantsMove(s, t)
        && (r.load() == 0 || admission.leaderLoad(target) + r.load() <= load.hi());
  }

  @Override
  String reason(Admission admission, long source, long target, Band leaders, Band load) {
    return "store %d has %d leaders, store %d has %d (%s)".formatted(source,
        admission.leaderCount(source), target, admission.leaderCount(target), leaders);
  }
}
