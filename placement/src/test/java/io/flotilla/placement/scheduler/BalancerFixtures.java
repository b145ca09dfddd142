package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;

/** Views for the balancer tests and a way to run one unit on them. */
final class BalancerFixtures {
  private BalancerFixtures() {
  }

  /** Adds {@code n} ranges with ids from {@code firstId}, all on {@code voters}. */
  static ViewBuilder ranges(ViewBuilder b, long firstId, int n, List<Long> voters, long bytes,
      double writes) {
    for (int i = 0; i < n; i++) {
      b.range(firstId + i, voters.get(0), voters, List.of(), bytes, writes);
    }
    return b;
  }

  static List<Operator> run(PlacementScheduler unit, ClusterView view) {
    Admission admission = new Admission(view);
    unit.schedule(view, admission);
    return admission.admitted();
  }
}
