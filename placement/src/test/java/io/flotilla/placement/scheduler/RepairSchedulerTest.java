package io.flotilla.placement.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.StoreState;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.RemoveReplica;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepairSchedulerTest {
  private static List<Operator> run(ClusterView view) {
    Admission admission = new Admission(view);
    new RepairScheduler().schedule(view, admission);
    return admission.admitted();
  }

  @Test
  void theRangeWithFewestLiveVotersGoesFirst() {
    PlacementSettings five = PlacementSettings.builder().set("replicas", 5)
        .set("max-operators-in-flight", 1).build();
    ClusterView view = new ViewBuilder().settings(five).up(1, 2, 3, 4, 5, 6).dead(7, 8)
        .range(10, 1, List.of(1L, 2L, 3L, 4L, 7L))
        .range(11, 1, List.of(1L, 2L, 3L, 7L, 8L))
        .build();
    List<Operator> ops = run(view);
    assertEquals(1, ops.size());
    assertEquals(11, ops.get(0).rangeId());
    assertTrue(ops.get(0).reason().startsWith("range 11 has 3 of 5 live voters; store 7 is dead"),
        ops.get(0).reason());
  }

  @Test
  void neverPicksADeadOrDrainingTarget() {
    ClusterView view = new ViewBuilder().up(1, 2, 3, 7).dead(4, 6)
        .store(5, StoreState.DRAINING)
        .range(10, 1, List.of(1L, 2L, 4L))
        .range(11, 1, List.of(1L, 2L, 3L))
        .build();
    List<Operator> ops = run(view);
    assertEquals(1, ops.size());
    MoveReplica move = assertInstanceOf(MoveReplica.class, ops.get(0));
    assertEquals(4, move.from());
    assertEquals(7, move.to(), "store 3 holds range 11 already; 7 is the emptiest target");
  }

  @Test
  void neverPicksAStoreWhoseDiskIsFull() {
    ClusterView view = new ViewBuilder().up(1, 2, 3, 5).dead(4)
        .disk(3, 100, 4).disk(5, 100, 6)
        .range(10, 1, List.of(1L, 2L, 4L))
        .build();
    MoveReplica move = assertInstanceOf(MoveReplica.class, run(view).get(0));
    assertEquals(5, move.to(), "store 3's disk is 96% used, above max-disk-used 0.95");
  }

  @Test
  void leavesARangeWithoutALiveQuorumAlone() {
    ClusterView view = new ViewBuilder().up(1, 4, 5).dead(2, 3)
        .range(10, 1, List.of(1L, 2L, 3L))
        .build();
    assertEquals(List.of(), run(view));
    assertEquals(1, RepairScheduler.underReplicated(view));
  }

  @Test
  void removesALearnerNoOperatorIsPromoting() {
    ClusterView view = new ViewBuilder().up(1, 2, 3, 4)
        .range(10, 1, List.of(1L, 2L, 3L), List.of(4L), ViewBuilder.MIB, 0)
        .build();
    List<Operator> ops = run(view);
    RemoveReplica remove = assertInstanceOf(RemoveReplica.class, ops.get(0));
    assertEquals(4, remove.store());
  }
}
