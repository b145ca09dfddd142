package io.flotilla.placement.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.placement.model.InFlight;
import io.flotilla.placement.model.PlacementHistory;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorControllerTest {
  private final PlacementHistory history = new PlacementHistory();
  private final OperatorController controller = new OperatorController(history);
  private final ViewBuilder cluster = new ViewBuilder().up(1, 2, 3, 4).history(history)
      .range(7, 1, List.of(1L, 2L, 3L)).range(8, 1, List.of(1L, 2L, 3L));

  @Test
  void summarisesSnapshotsAndProjectionsOfRunningOperators() {
    controller.start(List.of(new MoveReplica(cluster.rangeStats(7), 3, 4, "test",
        cluster.now(), cluster.settings())), cluster.build());
    InFlight f = controller.inFlight(cluster.build());
    assertEquals(Set.of(7L), f.ranges());
    assertEquals(Map.of(1L, 1), f.snapshotsSending(), "the leader sends the snapshot");
    assertEquals(Map.of(4L, 1), f.snapshotsReceiving());
    assertEquals(Map.of(4L, 1), f.operatorsPerStore(), "store 3 only drops its copy");
    assertEquals(Map.of(7L, Set.of(1L, 2L, 4L)), f.projectedReplicas());
  }

  @Test
  void recordsTheStoreARangeLeftWhenAMoveSucceeds() {
    controller.start(List.of(new MoveReplica(cluster.rangeStats(7), 3, 4, "test",
        cluster.now(), cluster.settings())), cluster.build());
    cluster.now(cluster.now() + 1000)
        .replace(ViewBuilder.with(cluster.rangeStats(7), 1, List.of(1L, 2L, 4L), List.of(), 1));
    List<Operator> finished = controller.observe(cluster.build());
    assertEquals(1, finished.size());
    assertTrue(controller.running().isEmpty());
    assertTrue(history.replicaLeftWithin(7, 3, cluster.now(), 1));
  }

  @Test
  void removingAStrayLearnerDoesNotBarTheRangeFromItsStore() {
    cluster.replace(ViewBuilder.with(cluster.rangeStats(8), 1, List.of(1L, 2L, 3L),
        List.of(4L), 1));
    controller.start(List.of(new RemoveReplica(cluster.rangeStats(8), 4, "stray learner",
        cluster.now(), cluster.settings())), cluster.build());
    cluster.now(cluster.now() + 1000)
        .replace(ViewBuilder.with(cluster.rangeStats(8), 1, List.of(1L, 2L, 3L), List.of(), 1));
    assertEquals(1, controller.observe(cluster.build()).size());
    assertTrue(!history.replicaLeftWithin(8, 4, cluster.now(), Long.MAX_VALUE),
        "a learner a former driver left behind never held range 8 on store 4");
  }

  @Test
  void refusesASecondOperatorOnARange() {
    controller.start(List.of(new TransferLeader(cluster.rangeStats(7), 2, "a", cluster.now(),
        cluster.settings())), cluster.build());
    var e = assertThrows(IllegalStateException.class, () -> controller.start(List.of(
        new TransferLeader(cluster.rangeStats(7), 3, "b", cluster.now(), cluster.settings())),
        cluster.build()));
    assertTrue(e.getMessage().startsWith("range 7 already has TransferLeader"), e.getMessage());
  }

  @Test
  void aMergeHoldsItsRightRangeToo() {
    controller.start(List.of(new MergeRanges(cluster.rangeStats(7), cluster.rangeStats(8),
        "test", cluster.now(), cluster.settings())), cluster.build());
    assertEquals(Set.of(7L, 8L), controller.inFlight(cluster.build()).ranges());
  }
}
