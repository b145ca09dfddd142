package io.flotilla.placement.scheduler;

import static io.flotilla.placement.scheduler.BalancerFixtures.ranges;
import static io.flotilla.placement.scheduler.BalancerFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.TransferLeader;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderCountBalancerTest {
  @Test
  void spreadsLeadersWithTransfersOnly() {
    ViewBuilder b = ranges(new ViewBuilder().up(1, 2, 3), 1, 9, List.of(1L, 2L, 3L), 1, 0);
    List<Operator> ops = run(new LeaderCountBalancer(), b.build());
    // 9 leaders on store 1, mean 3, band [2, 4]: 5 transfers bring store 1 to 4
    assertEquals(5, ops.size());
    for (Operator op : ops) {
      assertEquals(1, assertInstanceOf(TransferLeader.class, op).from());
    }
    assertEquals("store 1 has 9 leaders, store 2 has 0 (mean 3.0, band [2.0, 4.0])",
        ops.get(0).reason());
  }

  @Test
  void doesNotTransferWithinTheBand() {
    ViewBuilder b = new ViewBuilder().up(1, 2, 3);
    ranges(b, 1, 4, List.of(1L, 2L, 3L), 1, 0);
    ranges(b, 10, 3, List.of(2L, 1L, 3L), 1, 0);
    ranges(b, 20, 2, List.of(3L, 1L, 2L), 1, 0);
    assertEquals(List.of(), run(new LeaderCountBalancer(), b.build()));
  }
}
