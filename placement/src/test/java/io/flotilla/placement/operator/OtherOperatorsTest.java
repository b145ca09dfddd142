package io.flotilla.placement.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The state machines of the operators other than a move. */
class OtherOperatorsTest {
  private final ViewBuilder cluster = new ViewBuilder().up(1, 2, 3, 4)
      .range(7, 1, List.of(1L, 2L, 3L)).range(8, 1, List.of(1L, 2L, 3L));

  private void advance(RangeStats r) {
    cluster.now(cluster.now() + 1000).replace(r);
  }

  @Test
  void addReplicaAddsALearnerThenPromotesIt() {
    AddReplica op = new AddReplica(cluster.rangeStats(7), 4, "test", cluster.now(),
        cluster.settings());
    op.observe(cluster.build());
    assertEquals(Optional.of(new AddLearner(7, 1, 4)), op.currentStep());
    advance(ViewBuilder.with(cluster.rangeStats(7), 1, List.of(1L, 2L, 3L), List.of(4L), 1));
    op.observe(cluster.build());
    assertEquals(Optional.of(new Promote(7, 1, 4, 0)), op.currentStep());
    advance(ViewBuilder.with(cluster.rangeStats(7), 1, List.of(1L, 2L, 3L, 4L), List.of(), 1));
    op.observe(cluster.build());
    assertEquals(Outcome.Status.SUCCEEDED, op.outcome().status());
  }

  @Test
  void removeReplicaMovesTheLeaderOffFirst() {
    RemoveReplica op = new RemoveReplica(cluster.rangeStats(7), 1, "test", cluster.now(),
        cluster.settings());
    op.observe(cluster.build());
    assertEquals(Optional.of(new TransferLeaderStep(7, 1, 2)), op.currentStep());
    advance(ViewBuilder.with(cluster.rangeStats(7), 1, List.of(1L, 2L, 3L), List.of(), 3));
    op.observe(cluster.build());
    assertEquals(Optional.of(new RemoveVoter(7, 1, 1)), op.currentStep());
  }

  @Test
  void transferLeaderFailsWhenTheTargetLeavesTheVoters() {
    TransferLeader op = new TransferLeader(cluster.rangeStats(7), 3, "test", cluster.now(),
        cluster.settings());
    op.observe(cluster.build());
    assertEquals(Optional.of(new TransferLeaderStep(7, 1, 3)), op.currentStep());
    advance(ViewBuilder.with(cluster.rangeStats(7), 1, List.of(1L, 2L, 4L), List.of(), 1));
    op.observe(cluster.build());
    assertEquals(new Outcome(Outcome.Status.FAILED, "store 3 is no longer a voter",
        cluster.now()), op.outcome());
  }

  @Test
  void splitSucceedsWhenTheRangeEndsAtTheKeyWithANewGeneration() {
    RangeStats r = cluster.rangeStats(7);
    long stays = cluster.now() + 60_000;
    SplitRange op = new SplitRange(r, r.loadSplitKey(), stays, "test", cluster.now(),
        cluster.settings());
    op.observe(cluster.build());
    SplitAt step = (SplitAt) op.currentStep().orElseThrow();
    assertEquals(7, step.rangeId());
    assertEquals(stays, step.stickyUntilMillis(), "the step asks for the split to stay");
    advance(new RangeStats(7, r.startKey(), r.loadSplitKey(), 2, r.voters(), List.of(), 1, 0, 0,
        0, 0, null));
    op.observe(cluster.build());
    assertEquals(Outcome.Status.SUCCEEDED, op.outcome().status());
  }

  @Test
  void splitRefusesAKeyOutsideTheRange() {
    RangeStats r = cluster.rangeStats(7);
    var e = assertThrows(IllegalArgumentException.class, () -> new SplitRange(r,
        r.endKey(), 0, "test", cluster.now(), cluster.settings()));
    assertTrue(e.getMessage().contains("is not inside the range"), e.getMessage());
  }

  @Test
  void mergeSucceedsWhenTheRightRangeIsGoneAndTheLeftReachesItsEnd() {
    RangeStats left = cluster.rangeStats(7);
    RangeStats right = cluster.rangeStats(8);
    MergeRanges op = new MergeRanges(left, right, "test", cluster.now(), cluster.settings());
    op.observe(cluster.build());
    assertEquals(Optional.of(new MergeStep(7, 1, 8, 1)), op.currentStep());
    ClusterView merged = new ClusterView(cluster.now(), cluster.settings(),
        cluster.build().stores(), List.of(new RangeStats(7, left.startKey(), right.endKey(), 2,
            left.voters(), List.of(), 1, 0, 0, 0, 0, null)),
        io.flotilla.placement.model.InFlight.NONE,
        new io.flotilla.placement.model.PlacementHistory());
    op.observe(merged);
    assertEquals(Outcome.Status.SUCCEEDED, op.outcome().status());
  }

  @Test
  void mergeRefusesRangesWithDifferentVoters() {
    cluster.replace(ViewBuilder.with(cluster.rangeStats(8), 1, List.of(1L, 2L, 4L), List.of(),
        1));
    var e = assertThrows(IllegalArgumentException.class, () -> new MergeRanges(
        cluster.rangeStats(7), cluster.rangeStats(8), "test", cluster.now(),
        cluster.settings()));
    assertTrue(e.getMessage().contains("have different voters"), e.getMessage());
  }
}
