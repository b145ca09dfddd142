package io.flotilla.placement.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.StoreState;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.TransferLeader;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainSchedulerTest {
  private static List<Operator> run(ClusterView view) {
    Admission admission = new Admission(view);
    new DrainScheduler().schedule(view, admission);
    return admission.admitted();
  }

  @Test
  void leadersLeaveFirstAndNoReplicaMovesMeanwhile() {
    ClusterView view = new ViewBuilder().up(2, 3, 4).store(1, StoreState.DECOMMISSIONING)
        .range(10, 1, List.of(1L, 2L, 3L))
        .range(11, 2, List.of(1L, 2L, 3L))
        .build();
    List<Operator> ops = run(view);
    assertEquals(1, ops.size());
    TransferLeader t = assertInstanceOf(TransferLeader.class, ops.get(0));
    assertEquals(10, t.rangeId());
    assertEquals(3, t.to(), "store 2 already leads range 11");
    assertTrue(t.reason().startsWith("store 1 is decommissioning"), t.reason());
  }

  @Test
  void aDrainingStoreKeepsItsReplicas() {
    ClusterView view = new ViewBuilder().up(2, 3, 4).store(1, StoreState.DRAINING)
        .range(11, 2, List.of(1L, 2L, 3L))
        .build();
    assertEquals(List.of(), run(view));
    assertEquals(List.of(), DrainScheduler.progress(view), "draining is not decommissioning");
  }

  @Test
  void thenReplicasMoveAndProgressCountsThem() {
    ClusterView view = new ViewBuilder().up(2, 3, 4).store(1, StoreState.DECOMMISSIONING)
        .range(11, 2, List.of(1L, 2L, 3L))
        .build();
    MoveReplica move = assertInstanceOf(MoveReplica.class, run(view).get(0));
    assertEquals(1, move.from());
    assertEquals(4, move.to());
    DecommissionProgress p = DrainScheduler.progress(view).get(0);
    assertEquals(1, p.replicasLeft());
    assertFalse(p.done());
  }

  @Test
  void decommissionIsDoneOnlyWhenTheStoreHoldsNothing() {
    ViewBuilder b = new ViewBuilder().up(2, 3, 4).store(1, StoreState.DECOMMISSIONING)
        .range(11, 2, List.of(2L, 3L, 4L), List.of(1L), ViewBuilder.MIB, 0);
    assertFalse(DrainScheduler.progress(b.build()).get(0).done(), "a learner still counts");
    b.replace(ViewBuilder.with(b.rangeStats(11), 1, List.of(2L, 3L, 4L), List.of(), 2));
    assertTrue(DrainScheduler.progress(b.build()).get(0).done());
  }
}
