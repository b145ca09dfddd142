package io.flotilla.placement.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MoveReplicaTest {
  private final ViewBuilder cluster =
      new ViewBuilder().up(1, 2, 3, 4).range(7, 1, List.of(1L, 2L, 3L));

  private MoveReplica move(long from, long to) {
    MoveReplica op = new MoveReplica(cluster.rangeStats(7), from, to, "test", cluster.now(),
        cluster.settings());
    op.observe(cluster.build());
    return op;
  }

  private void show(Operator op, long generation, List<Long> voters, List<Long> learners,
      long leader, long advanceMillis) {
    cluster.now(cluster.now() + advanceMillis);
    cluster.replace(ViewBuilder.with(cluster.rangeStats(7), generation, voters, learners,
        leader));
    op.observe(cluster.build());
  }

  @Test
  void walksLearnerLeaderAwayPromoteRemoveAsTheClusterShowsEachDone() {
    MoveReplica op = move(1, 4);
    assertEquals(Optional.of(new AddLearner(7, 1, 4)), op.currentStep());
    assertEquals(4, op.snapshotReceiver());

    show(op, 1, List.of(1L, 2L, 3L), List.of(4L), 1, 1000);
    assertEquals(Optional.of(new TransferLeaderStep(7, 1, 2)), op.currentStep(),
        "the old store leads, so leadership leaves it before the joint change");
    assertEquals(0, op.snapshotReceiver());

    show(op, 1, List.of(1L, 2L, 3L), List.of(4L), 2, 1000);
    assertEquals(Optional.of(new Promote(7, 1, 4, 1)), op.currentStep());

    show(op, 1, List.of(4L, 2L, 3L), List.of(1L), 2, 1000);
    assertEquals(Optional.of(new RemoveVoter(7, 1, 1)), op.currentStep());

    show(op, 1, List.of(4L, 2L, 3L), List.of(), 2, 1000);
    assertTrue(op.isFinished());
    assertEquals(Outcome.Status.SUCCEEDED, op.outcome().status());
    assertEquals(4, op.finishedSteps().size());
    assertEquals(Optional.empty(), op.currentStep());
  }

  @Test
  void skipsPhasesTheViewAlreadyShowsDone() {
    MoveReplica op = move(3, 4);
    show(op, 1, List.of(1L, 2L, 4L), List.of(), 1, 1000);
    assertEquals(Outcome.Status.SUCCEEDED, op.outcome().status());
  }

  @Test
  void failsWhenTheRangeSplitUnderIt() {
    MoveReplica op = move(3, 4);
    show(op, 2, List.of(1L, 2L, 3L), List.of(), 1, 1000);
    assertEquals(Outcome.Status.FAILED, op.outcome().status());
    assertTrue(op.outcome().message().contains("changed generation from 1 to 2"),
        op.outcome().message());
  }

  @Test
  void timesOutASnapshotThatNeverArrives() {
    MoveReplica op = move(3, 4);
    long allowed = cluster.settings().snapshotStepTimeoutMillis(ViewBuilder.MIB);
    show(op, 1, List.of(1L, 2L, 3L), List.of(), 1, allowed);
    assertFalse(op.isFinished(), "exactly the allowed time is still in time");
    show(op, 1, List.of(1L, 2L, 3L), List.of(), 1, 1);
    assertEquals(Outcome.Status.TIMED_OUT, op.outcome().status());
    assertTrue(op.outcome().message().contains("add learner on store 4"),
        op.outcome().message());
  }

  @Test
  void failsWhenTheTargetStoreDies() {
    MoveReplica op = move(3, 4);
    cluster.dead(4);
    op.observe(cluster.build());
    assertEquals(Outcome.Status.FAILED, op.outcome().status());
    assertEquals("store 4 died", op.outcome().message());
  }

  @Test
  void cancelEndsItWithTheReason() {
    MoveReplica op = move(3, 4);
    op.cancel("operator asked", cluster.now());
    assertEquals(new Outcome(Outcome.Status.CANCELLED, "operator asked", cluster.now()),
        op.outcome());
    op.observe(cluster.build());
    assertEquals(Outcome.Status.CANCELLED, op.outcome().status(), "finished stays finished");
  }

  @Test
  void projectsTheReplicasAndTheJointConfigurations() {
    MoveReplica op = move(1, 4);
    RangeStats r = cluster.rangeStats(7);
    assertEquals(java.util.Set.of(2L, 3L, 4L), op.projectedReplicas(r));
    assertEquals(2, op.projectedLeader(r));
    assertEquals(List.of(java.util.Set.of(1L, 2L, 3L), java.util.Set.of(2L, 3L, 4L)),
        op.voterSets(r));
  }
}
