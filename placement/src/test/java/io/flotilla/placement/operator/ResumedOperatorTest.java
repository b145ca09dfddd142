package io.flotilla.placement.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Operators rebuilt as planned and resumed by a driver that took over: each goes on from where
 * the range is, whatever the former driver got done before it stopped and whatever it recorded.
 */
class ResumedOperatorTest {
  private final ViewBuilder cluster = new ViewBuilder().up(1, 2, 3, 4)
      .range(7, 1, List.of(1L, 2L, 3L)).range(8, 1, List.of(1L, 2L, 3L));
  /** Planned by the former driver a while before this one took over. */
  private final Planned planned = new Planned(7, 1, "test", cluster.now() - 50_000);

  private MoveReplica move() {
    return new MoveReplica(planned, 1, 4, true, ViewBuilder.MIB, cluster.settings());
  }

  private void show(List<Long> voters, List<Long> learners, long leader) {
    cluster.replace(ViewBuilder.with(cluster.rangeStats(7), 1, voters, learners, leader));
  }

  private static StepRecord done(String phase) {
    return new StepRecord(phase, 1, 2);
  }

  @Test
  void aMoveWhoseLearnerIsInPlaceGoesOnWithTheLeaderAndThePromote() {
    // The former driver added the learner but stopped before it recorded that.
    show(List.of(1L, 2L, 3L), List.of(4L), 1);
    MoveReplica op = move();
    op.resume(List.of(), cluster.now());
    op.observe(cluster.build());
    assertEquals(Optional.of(new TransferLeaderStep(7, 1, 2)), op.currentStep(),
        "no second learner: leadership leaves store 1 first");
    assertEquals(List.of("add learner on store 4"),
        op.finishedSteps().stream().map(StepRecord::phase).toList());

    cluster.now(cluster.now() + 1000);
    show(List.of(1L, 2L, 3L), List.of(4L), 2);
    op.observe(cluster.build());
    assertEquals(Optional.of(new Promote(7, 1, 4, 1)), op.currentStep());
  }

  @Test
  void recordedStepsAreKeptAndNotAskedAgain() {
    show(List.of(1L, 2L, 3L), List.of(4L), 2);
    MoveReplica op = move();
    List<StepRecord> before = List.of(done("add learner on store 4"),
        done("move leader off store 1"));
    op.resume(before, cluster.now());
    op.observe(cluster.build());
    assertEquals(Optional.of(new Promote(7, 1, 4, 1)), op.currentStep());
    assertEquals(before, op.finishedSteps());
  }

  @Test
  void aPromoteWhoseDemotedVoterIsAlreadyGoneIsDone() {
    // The former driver's promote step promoted store 4 and removed store 1 (the demote), and
    // it stopped before it saw that.
    show(List.of(4L, 2L, 3L), List.of(), 2);
    MoveReplica op = move();
    op.resume(List.of(done("add learner on store 4"), done("move leader off store 1")),
        cluster.now());
    op.observe(cluster.build());
    assertEquals(Outcome.Status.SUCCEEDED, op.outcome().status());
    assertEquals(List.of("add learner on store 4", "move leader off store 1",
        "promote store 4, demote store 1", "remove store 1"),
        op.finishedSteps().stream().map(StepRecord::phase).toList());
  }

  @Test
  void phaseTimeoutsCountFromTheResumeNotFromThePlan() {
    MoveReplica op = move();
    long allowed = cluster.settings().snapshotStepTimeoutMillis(ViewBuilder.MIB);
    cluster.now(planned.createdMillis() + allowed * 10).up(1, 2, 3, 4);
    op.resume(List.of(), cluster.now());
    op.observe(cluster.build());
    assertEquals(Optional.of(new AddLearner(7, 1, 4)), op.currentStep());
    cluster.now(cluster.now() + allowed);
    op.observe(cluster.build());
    assertFalse(op.isFinished(), "exactly the allowed time after the resume is still in time");
    cluster.now(cluster.now() + 1);
    op.observe(cluster.build());
    assertEquals(Outcome.Status.TIMED_OUT, op.outcome().status());
  }

  @Test
  void aSplitThatAlreadyHappenedIsDone() {
    RangeStats r = cluster.rangeStats(7);
    SplitRange bySize = new SplitRange(planned, null, 1, 0, cluster.settings());
    SplitRange atKey = new SplitRange(planned, r.loadSplitKey(), 1, 0, cluster.settings());
    // The split took the range to the planning generation + 1, ending at the chosen key.
    cluster.replace(new RangeStats(7, r.startKey(), r.loadSplitKey(), 2, r.voters(), List.of(),
        1, 0, 0, 0, 0, null));
    for (SplitRange op : List.of(bySize, atKey)) {
      op.resume(List.of(), cluster.now());
      op.observe(cluster.build());
      assertEquals(Outcome.Status.SUCCEEDED, op.outcome().status(), op.toString());
    }
  }

  @Test
  void aSplitNotYetMadeIsAskedAtThePlannedGeneration() {
    SplitRange op = new SplitRange(planned, null, 1, 0, cluster.settings());
    op.resume(List.of(), cluster.now());
    op.observe(cluster.build());
    SplitAt step = (SplitAt) op.currentStep().orElseThrow();
    assertEquals(1, step.generation(), "a by-size split is refused once the range moved on");
  }

  @Test
  void aMergeThatAlreadyHappenedIsDone() {
    RangeStats left = cluster.rangeStats(7);
    RangeStats right = cluster.rangeStats(8);
    MergeRanges op = new MergeRanges(planned, 8, 1, right.endKey(), left.voters(),
        cluster.settings());
    ViewBuilder merged = new ViewBuilder().up(1, 2, 3, 4).now(cluster.now());
    merged.range(7, 1, left.voters());
    merged.replace(new RangeStats(7, left.startKey(), right.endKey(), 2, left.voters(),
        List.of(), 1, 0, 0, 0, 0, null));
    op.resume(List.of(), merged.now());
    op.observe(merged.build());
    assertEquals(Outcome.Status.SUCCEEDED, op.outcome().status());
  }

  @Test
  void refusesStepsThatAreNotItsOwn() {
    MoveReplica op = move();
    var e = assertThrows(IllegalArgumentException.class,
        () -> op.resume(List.of(done("split")), cluster.now()));
    assertTrue(e.getMessage().contains("recorded as 'split', not 'add learner on store 4'"),
        e.getMessage());
    var all = assertThrows(IllegalArgumentException.class, () -> op.resume(List.of(
        done("add learner on store 4"), done("move leader off store 1"),
        done("promote store 4, demote store 1"), done("remove store 1")), cluster.now()));
    assertTrue(all.getMessage().contains("yet not its outcome"), all.getMessage());
  }
}
