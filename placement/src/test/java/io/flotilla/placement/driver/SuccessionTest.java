package io.flotilla.placement.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.placement.model.PlacementHistory;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.OperatorController;
import io.flotilla.placement.operator.Planned;
import io.flotilla.placement.operator.RemoveReplica;
import io.flotilla.placement.operator.StepRecord;
import io.flotilla.placement.operator.TransferLeader;
import io.flotilla.placement.operator.TransferLeaderStep;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.proto.StepRecordPb;
import io.flotilla.placement.scheduler.Scheduler;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a driver that takes over gets from its predecessors' decision log. */
class SuccessionTest {
  private final PlacementHistory history = new PlacementHistory();
  private final OperatorController controller = new OperatorController(history);
  /**
   * Eight ranges on stores 1 to 3: the balancer would fill the empty store 4 from them (merges
   * off: these small neighbours would be merged first).
   */
  private final ViewBuilder cluster = new ViewBuilder()
      .settings(PlacementDriver.withoutMerges(PlacementSettings.builder()).build())
      .up(1, 2, 3, 4).history(history);
  private long nextId = 1;

  SuccessionTest() {
    for (long r = 1; r <= 8; r++) {
      cluster.range(r, 1, List.of(1L, 2L, 3L));
    }
  }

  private DecisionPb decision(Operator op, String outcome, long finishedMillis) {
    return DecisionPb.newBuilder().setId(nextId++).setKind(DecisionLog.kind(op))
        .setRangeId(op.rangeId()).setReason(op.reason()).setCreatedMillis(op.createdMillis())
        .setSpec(OperatorSpecs.of(op)).setOutcome(outcome).setFinishedMillis(finishedMillis)
        .setDriver(9).build();
  }

  /** Range {@code r} moved from store 4 to store 3, under the former driver. */
  private MoveReplica movedOffStore4(long r) {
    return new MoveReplica(new Planned(r, 1, "balance", cluster.now() - 70_000), 4, 3, true,
        ViewBuilder.MIB, cluster.settings());
  }

  private List<Operator> movesToStore4() {
    return Scheduler.standard().schedule(cluster.build()).operators().stream()
        .filter(op -> op instanceof MoveReplica m && m.to() == 4).toList();
  }

  @Test
  void rangesDoNotMoveBackToAStoreTheyLeftUnderTheFormerDriverUntilTheCooldownEnds() {
    long cooldown = cluster.settings().cooldownMillis();
    List<DecisionPb> log = new ArrayList<>();
    for (long r = 1; r <= 8; r++) {
      log.add(decision(movedOffStore4(r), "SUCCEEDED", cluster.now() - 60_000));
    }
    assertEquals(8, Succession.rebuildHistory(log, cluster.now(), cluster.settings(),
        controller));
    assertEquals(List.of(), movesToStore4(), "within the cooldown");

    cluster.now(cluster.now() - 60_000 + cooldown).up(1, 2, 3, 4);
    assertFalse(movesToStore4().isEmpty(), "once the cooldown is over");
  }

  @Test
  void departuresOlderThanTheCooldownAreNotRemembered() {
    long finished = cluster.now() - cluster.settings().cooldownMillis();
    List<DecisionPb> log = new ArrayList<>();
    for (long r = 1; r <= 8; r++) {
      log.add(decision(movedOffStore4(r), "SUCCEEDED", finished));
    }
    assertEquals(0, Succession.rebuildHistory(log, cluster.now(), cluster.settings(),
        controller));
    assertFalse(movesToStore4().isEmpty());
  }

  @Test
  void departuresAreThoseTheControllerRecords() {
    long at = cluster.now() - 1000;
    RangeStats withLearner = ViewBuilder.with(cluster.rangeStats(2), 1, List.of(1L, 2L, 3L),
        List.of(4L), 1);
    List<DecisionPb> log = List.of(
        decision(new TransferLeader(cluster.rangeStats(1), 2, "leaders", at, cluster.settings()),
            "SUCCEEDED", at),
        // A stray learner never held the range on its store.
        decision(new RemoveReplica(withLearner, 4, "stray", at, cluster.settings()),
            "SUCCEEDED", at),
        decision(new RemoveReplica(cluster.rangeStats(3), 3, "surplus", at, cluster.settings()),
            "FAILED", at),
        decision(movedOffStore4(5), "", 0),
        DecisionPb.newBuilder().setId(99).setKind("move-replica").setRangeId(6)
            .setOutcome("SUCCEEDED").setFinishedMillis(at).build());
    assertEquals(2, Succession.rebuildHistory(log, cluster.now(), cluster.settings(),
        controller));
    long window = cluster.settings().cooldownMillis();
    assertTrue(history.leaderLeftWithin(1, 1, cluster.now(), window));
    assertFalse(history.replicaLeftWithin(2, 4, cluster.now(), window));
    assertFalse(history.replicaLeftWithin(3, 3, cluster.now(), window), "it failed");
    assertFalse(history.replicaLeftWithin(5, 4, cluster.now(), window), "it has not finished");
  }

  @Test
  void anUnfinishedMoveGoesOnFromItsRecordedStepsAndWhereTheRangeIs() {
    MoveReplica planned = new MoveReplica(cluster.rangeStats(1), 1, 4, "balance",
        cluster.now() - 5000, cluster.settings());
    DecisionPb d = decision(planned, "", 0).toBuilder().addSteps(StepRecordPb.newBuilder()
        .setStep("add learner on store 4").setStartedMillis(cluster.now() - 5000)
        .setFinishedMillis(cluster.now() - 4000).setOutcome("done")).build();
    cluster.replace(ViewBuilder.with(cluster.rangeStats(1), 1, List.of(1L, 2L, 3L),
        List.of(4L), 1));

    Operator op = Succession.resume(d, cluster.build(), cluster.settings());
    controller.start(List.of(op), cluster.build());
    assertEquals(Optional.of(new TransferLeaderStep(1, 1, 2)), op.currentStep());
    assertEquals(List.of(new StepRecord("add learner on store 4", cluster.now() - 5000,
        cluster.now() - 4000)), op.finishedSteps());
    assertEquals("MoveReplica range 1 store 1 -> 4 (balance) at 'move leader off store 1'",
        op.toString());
  }

  @Test
  void decisionsThatCannotBeCarriedOnSayWhy() {
    DecisionPb old = DecisionPb.newBuilder().setId(4).setKind("move-replica").setRangeId(1)
        .build();
    var e = assertThrows(IllegalArgumentException.class,
        () -> Succession.resume(old, cluster.build(), cluster.settings()));
    assertTrue(e.getMessage().contains("older driver"), e.getMessage());

    DecisionPb gone = decision(movedOffStore4(42), "", 0);
    var g = assertThrows(IllegalArgumentException.class,
        () -> Succession.resume(gone, cluster.build(), cluster.settings()));
    assertEquals("range 42 no longer exists", g.getMessage());
  }
}
