package io.flotilla.placement.scheduler;

import static io.flotilla.placement.scheduler.BalancerFixtures.ranges;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The facade: priority order and the limits every unit shares. */
class SchedulerTest {
  /** Ranges this large are not merged, so only the units under test act. */
  private static final long MIB = ViewBuilder.MIB;

  @Test
  void noBalancingWhileAnyRangeIsUnderReplicated() {
    ViewBuilder b = ranges(new ViewBuilder().up(1, 2, 3, 4, 5), 1, 20, List.of(1L, 2L, 3L),
        20 * MIB, 0);
    b.dead(6).range(99, 1, List.of(1L, 2L, 6L));
    Plan plan = Scheduler.standard().schedule(b.build());
    assertEquals(1, plan.underReplicatedRanges());
    assertEquals(1, plan.operators().size(), "only the repair: " + plan.operators());
    assertEquals(99, plan.operators().get(0).rangeId());
  }

  @Test
  void noBalancingWhileAStoreHoldingVotersIsSilentButNotYetDead() {
    ViewBuilder b = ranges(new ViewBuilder().up(1, 2, 3, 4, 5), 1, 20, List.of(1L, 2L, 3L),
        20 * MIB, 0);
    b.up(6).range(99, 1, List.of(1L, 2L, 6L));
    b.now(b.now() + b.settings().storeDownAfterMillis() + 1).up(1, 2, 3, 4, 5);
    Plan plan = Scheduler.standard().schedule(b.build());
    assertEquals(0, plan.underReplicatedRanges(), "store 6 is not dead yet");
    assertEquals(List.of(), plan.operators());
  }

  @Test
  void snapshotLimitsHoldPerSendingAndReceivingStore() {
    ViewBuilder b = ranges(new ViewBuilder().up(1, 2, 3, 4, 5), 1, 30, List.of(1L, 2L, 3L),
        20 * MIB, 0);
    Plan plan = Scheduler.standard().schedule(b.build());
    Map<Long, Integer> receiving = new HashMap<>();
    int moves = 0;
    for (Operator op : plan.operators()) {
      if (op instanceof MoveReplica m) {
        receiving.merge(m.to(), 1, Integer::sum);
        moves++;
      }
    }
    // Store 1 leads every range, so it sends every snapshot: two at a time.
    assertEquals(2, moves, plan.operators().toString());
    receiving.values().forEach(n -> assertTrue(n <= 2));
  }

  @Test
  void operatorLimitsHoldPerStoreAndForTheCluster() {
    PlacementSettings s = PlacementSettings.builder().set("max-operators-per-store", 3)
        .set("max-operators-in-flight", 4).build();
    ViewBuilder b = ranges(new ViewBuilder().settings(s).up(1, 2, 3), 1, 30,
        List.of(1L, 2L, 3L), 20 * MIB, 0);
    Plan plan = Scheduler.standard().schedule(b.build());
    // Only leader transfers are possible (every store holds every range); each involves
    // store 1, which may take part in three operators.
    assertEquals(3, plan.operators().size(), plan.operators().toString());
    s = PlacementSettings.builder().set("max-operators-in-flight", 4).build();
    plan = Scheduler.standard().schedule(b.settings(s).build());
    assertEquals(4, plan.operators().size());
    plan.operators().forEach(op -> assertInstanceOf(
        io.flotilla.placement.operator.TransferLeader.class, op));
  }
}
