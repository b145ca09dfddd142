package io.flotilla.placement.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.SplitRange;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitSchedulerTest {
  private static final List<Long> VOTERS = List.of(1L, 2L, 3L);

  private static List<Operator> run(ClusterView view) {
    Admission admission = new Admission(view);
    new SplitScheduler().schedule(view, admission);
    return admission.admitted();
  }

  @Test
  void aLargeRangeSplitsInTheMiddleAndAHotOneAtItsLoadKey() {
    ViewBuilder b = new ViewBuilder().up(1, 2, 3)
        .range(10, 1, VOTERS, List.of(), 100 * ViewBuilder.MIB, 0)
        .range(11, 1, VOTERS, List.of(), ViewBuilder.MIB, 5000)
        .range(12, 1, VOTERS, List.of(), 60 * ViewBuilder.MIB, 900);
    List<Operator> ops = run(b.build());
    assertEquals(2, ops.size());
    SplitRange hot = assertInstanceOf(SplitRange.class, ops.get(0));
    assertEquals(11, hot.rangeId(), "5x over the load limit beats 1.6x over the size");
    assertArrayEquals(b.rangeStats(11).loadSplitKey(), hot.key());
    assertEquals("range 11 takes 5000 writes/s, above 1000", hot.reason());
    SplitRange large = assertInstanceOf(SplitRange.class, ops.get(1));
    assertNull(large.key());
    assertEquals("range 10 holds 100.0 MiB, above the split size 64.0 MiB", large.reason());
  }

  @Test
  void aHotRangeWithoutALoadKeyStaysWhole() {
    ViewBuilder b = new ViewBuilder().up(1, 2, 3).range(11, 1, VOTERS, List.of(), 1, 5000);
    var r = b.rangeStats(11);
    b.replace(new io.flotilla.placement.model.RangeStats(11, r.startKey(), r.endKey(), 1, VOTERS,
        List.of(), 1, 1, 1, 0, 5000, null));
    assertEquals(List.of(), run(b.build()));
  }
}
