package io.flotilla.placement.scheduler;

import static io.flotilla.placement.scheduler.BalancerFixtures.ranges;
import static io.flotilla.placement.scheduler.BalancerFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.placement.model.PlacementHistory;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaCountBalancerTest {
  private static final long MIB = ViewBuilder.MIB;

  /** Store 1 leads every range here and would send every snapshot; lift that limit. */
  private static final PlacementSettings MANY_SNAPSHOTS =
      PlacementSettings.builder().set("max-snapshots-per-store", 10).build();

  @Test
  void movesFromTheFullestStoreToTheNewEmptyOne() {
    ViewBuilder b = ranges(new ViewBuilder().settings(MANY_SNAPSHOTS).up(1, 2, 3, 4), 1, 8,
        List.of(1L, 2L, 3L), MIB, 0);
    List<Operator> ops = run(new ReplicaCountBalancer(), b.build());
    // 24 replicas over 4 stores: mean 6, band [5, 7]; moves stop once store 4 holds 5.
    assertEquals(5, ops.size());
    for (Operator op : ops) {
      MoveReplica m = assertInstanceOf(MoveReplica.class, op);
      assertEquals(4, m.to());
    }
    assertTrue(ops.get(0).reason().startsWith("store 1 has 8 replicas, store 4 has 0"),
        ops.get(0).reason());
  }

  @Test
  void doesNotMoveWithinTheTolerance() {
    ViewBuilder b = new ViewBuilder().settings(PlacementSettings.builder()
        .set("replica-tolerance", 0.25).build()).up(1, 2, 3, 4);
    ranges(b, 1, 3, List.of(1L, 2L, 3L), MIB, 0);
    ranges(b, 10, 2, List.of(1L, 2L, 4L), MIB, 0);
    ranges(b, 20, 1, List.of(1L, 3L, 4L), MIB, 0);
    ranges(b, 30, 1, List.of(2L, 3L, 4L), MIB, 0);
    // counts 6, 6, 5, 4: mean 5.25, band [3.94, 6.56]; 6 - 4 = 2 but nobody is outside it
    assertEquals(List.of(), run(new ReplicaCountBalancer(), b.build()));
    ranges(b, 40, 1, List.of(1L, 2L, 3L), MIB, 0);
    // counts 7, 7, 6, 4: mean 6, band [4.5, 7.5]; store 4 is below it
    List<Operator> ops = run(new ReplicaCountBalancer(), b.build());
    assertEquals(1, ops.size());
    assertEquals(4, assertInstanceOf(MoveReplica.class, ops.get(0)).to());
  }

  @Test
  void neverSendsARangeBackToAStoreItJustLeft() {
    PlacementHistory history = new PlacementHistory();
    ViewBuilder b = ranges(new ViewBuilder().settings(MANY_SNAPSHOTS).up(1, 2, 3, 4)
        .history(history), 1, 8, List.of(1L, 2L, 3L), MIB, 0);
    for (long r = 1; r <= 8; r++) {
      history.recordReplicaLeft(r, 4, b.now() - 1000);
    }
    assertEquals(List.of(), run(new ReplicaCountBalancer(), b.build()));
    b.now(b.now() + b.settings().cooldownMillis()).up(1, 2, 3, 4);
    assertEquals(5, run(new ReplicaCountBalancer(), b.build()).size(), "after the cooldown");
  }
}
