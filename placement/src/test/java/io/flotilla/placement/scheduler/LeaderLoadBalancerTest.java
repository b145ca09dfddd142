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

class LeaderLoadBalancerTest {
  @Test
  void handsTheHottestRangeToTheCoolestVoter() {
    ViewBuilder b = new ViewBuilder().up(1, 2, 3);
    ranges(b, 1, 2, List.of(1L, 2L, 3L), 1, 400);
    ranges(b, 10, 2, List.of(2L, 1L, 3L), 1, 10);
    ranges(b, 20, 2, List.of(3L, 1L, 2L), 1, 10);
    List<Operator> ops = run(new LeaderLoadBalancer(), b.build());
    // loads 800, 20, 20 (mean 280, band up to 350): a 400 range goes to store 2 (400, 420,
    // 20), then store 2, now above the band, hands a 10 range to store 3 (400, 410, 30).
    assertEquals(2, ops.size());
    TransferLeader t = assertInstanceOf(TransferLeader.class, ops.get(0));
    assertEquals(1, t.from());
    assertEquals(2, t.to());
    t = assertInstanceOf(TransferLeader.class, ops.get(1));
    assertEquals(2, t.from());
    assertEquals(3, t.to());
  }

  @Test
  void aSingleHotRangeStaysPut() {
    ViewBuilder b = new ViewBuilder().up(1, 2, 3);
    ranges(b, 1, 1, List.of(1L, 2L, 3L), 1, 5000);
    ranges(b, 10, 1, List.of(2L, 1L, 3L), 1, 10);
    ranges(b, 20, 1, List.of(3L, 1L, 2L), 1, 10);
    assertEquals(List.of(), run(new LeaderLoadBalancer(), b.build()),
        "moving it would only move the hot spot; splitting is the cure");
  }
}
