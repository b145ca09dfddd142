package io.flotilla.placement.scheduler;

import static io.flotilla.placement.scheduler.BalancerFixtures.ranges;
import static io.flotilla.placement.scheduler.BalancerFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByteBalancerTest {
  private static final long MIB = ViewBuilder.MIB;

  @Test
  void movesTheRangeClosestToHalfTheGap() {
    ViewBuilder b = new ViewBuilder().up(1, 2, 3, 4);
    ranges(b, 1, 2, List.of(1L, 2L, 3L), 30 * MIB, 0);
    ranges(b, 10, 2, List.of(1L, 2L, 4L), 2 * MIB, 0);
    ranges(b, 20, 2, List.of(1L, 3L, 4L), 1 * MIB, 0);
    ranges(b, 30, 2, List.of(2L, 3L, 4L), 1 * MIB, 0);
    // bytes: 1=66, 2=66, 3=64, 4=8 MiB; counts are 6 each, so moves must swap nothing in count
    // terms: the balancer may move only while counts stay in their band [5, 7].
    List<Operator> ops = run(new ByteBalancer(), b.build());
    MoveReplica first = assertInstanceOf(MoveReplica.class, ops.get(0));
    assertEquals(4, first.to());
    assertEquals(1, first.rangeId(), "30 MiB is the movable range nearest half the 58 MiB gap");
  }

  @Test
  void leavesStoresWithinTheByteBandAlone() {
    ViewBuilder b = new ViewBuilder().up(1, 2, 3);
    ranges(b, 1, 5, List.of(1L, 2L, 3L), 10 * MIB, 0);
    assertEquals(List.of(), run(new ByteBalancer(), b.build()));
  }
}
