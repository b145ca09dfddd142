package io.flotilla.placement.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.operator.MergeRanges;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class MergeSchedulerTest {
  private static final List<Long> A = List.of(1L, 2L, 3L);
  private static final long MIB = ViewBuilder.MIB;

  private static List<Operator> run(ClusterView view) {
    Admission admission = new Admission(view);
    new MergeScheduler().schedule(view, admission);
    return admission.admitted();
  }

  @Test
  void mergesDisjointPairsOfSmallAdjacentRanges() {
    ClusterView view = new ViewBuilder().up(1, 2, 3)
        .range(10, 1, A, List.of(), 0, 0).range(11, 1, A, List.of(), 0, 0)
        .range(12, 1, A, List.of(), 0, 0)
        .build();
    List<Operator> ops = run(view);
    assertEquals(1, ops.size(), "range 11 is taken by the first merge; 12 waits");
    MergeRanges m = assertInstanceOf(MergeRanges.class, ops.get(0));
    assertEquals(10, m.rangeId());
    assertEquals(11, m.rightRangeId());
  }

  @Test
  void leavesLargeOrHotNeighboursAlone() {
    ClusterView view = new ViewBuilder().up(1, 2, 3)
        .range(10, 1, A, List.of(), MIB, 0).range(11, 1, A, List.of(), 40 * MIB, 0)
        .range(12, 1, A, List.of(), MIB, 0).range(13, 1, A, List.of(), MIB, 800)
        .build();
    assertEquals(List.of(), run(view));
  }

  @Test
  void alignsTheRightRangeOntoTheLeftRangesStoresFirst() {
    ClusterView view = new ViewBuilder().up(1, 2, 3, 4)
        .range(10, 1, A, List.of(), MIB, 0).range(11, 2, List.of(2L, 3L, 4L), List.of(), MIB, 0)
        .build();
    MoveReplica move = assertInstanceOf(MoveReplica.class, run(view).get(0));
    assertEquals(11, move.rangeId());
    assertEquals(4, move.from());
    assertEquals(1, move.to());
  }

  @Test
  void leavesASplitMadeToStayUntilItsTime() {
    ViewBuilder b = new ViewBuilder().up(1, 2, 3)
        .range(10, 1, A, List.of(), 0, 0).range(11, 1, A, List.of(), 0, 0);
    b.sticky(11, b.now() + 1);
    assertEquals(List.of(), run(b.build()), "the split at range 11's start stays");
    b.now(b.now() + 1);
    MergeRanges m = assertInstanceOf(MergeRanges.class, run(b.build()).get(0));
    assertEquals(11, m.rightRangeId(), "its time is up: the pair merges");
  }

  @Test
  void aStickyLeftRangeStillTakesItsRightNeighbour() {
    ViewBuilder b = new ViewBuilder().up(1, 2, 3)
        .range(10, 1, A, List.of(), 0, 0).range(11, 1, A, List.of(), 0, 0)
        .range(12, 1, A, List.of(), 0, 0);
    b.sticky(11, Long.MAX_VALUE);
    MergeRanges m = assertInstanceOf(MergeRanges.class, run(b.build()).get(0));
    assertEquals(11, m.rangeId(), "only the boundary at 11's start stays; 12's may go");
    assertEquals(12, m.rightRangeId());
  }
}
