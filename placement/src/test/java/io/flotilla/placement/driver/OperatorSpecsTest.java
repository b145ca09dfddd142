package io.flotilla.placement.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.AddReplica;
import io.flotilla.placement.operator.MergeRanges;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.RemoveReplica;
import io.flotilla.placement.operator.SplitAt;
import io.flotilla.placement.operator.SplitRange;
import io.flotilla.placement.operator.Step;
import io.flotilla.placement.operator.TransferLeader;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.testing.ViewBuilder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every kind of operator, written as the spec its decision records and rebuilt from the record's
 * bytes, is the same operator: same subject, stores and projections, and, observed on the same
 * views as the range changes, the same steps, phases and outcome.
 */
class OperatorSpecsTest {
  private final ViewBuilder cluster = new ViewBuilder().up(1, 2, 3, 4)
      .range(7, 1, List.of(1L, 2L, 3L)).range(8, 1, List.of(1L, 2L, 3L));

  private Operator roundTrip(Operator op) throws InvalidProtocolBufferException {
    DecisionPb written = DecisionPb.newBuilder().setId(12).setKind(DecisionLog.kind(op))
        .setRangeId(op.rangeId()).setReason(op.reason()).setCreatedMillis(op.createdMillis())
        .setSpec(OperatorSpecs.of(op)).build();
    return OperatorSpecs.rebuild(DecisionPb.parseFrom(written.toByteArray()),
        cluster.settings());
  }

  /**
   * Rebuilds {@code op} (planned on {@code planned}), then shows both the same views in turn,
   * comparing them after every one.
   */
  private void assertSameOperator(Operator op, RangeStats planned,
      List<Supplier<ClusterView>> views) throws InvalidProtocolBufferException {
    Operator rebuilt = roundTrip(op);
    assertNotSame(op, rebuilt);
    assertEquals(op.getClass(), rebuilt.getClass());
    assertEquals(op.toString(), rebuilt.toString());
    assertEquals(op.stores(), rebuilt.stores());
    assertEquals(op.generation(), rebuilt.generation());
    assertEquals(op.createdMillis(), rebuilt.createdMillis());
    assertEquals(op.projectedReplicas(planned), rebuilt.projectedReplicas(planned));
    assertEquals(op.projectedLeader(planned), rebuilt.projectedLeader(planned));
    assertEquals(op.voterSets(planned), rebuilt.voterSets(planned));
    for (int i = 0; i < views.size(); i++) {
      ClusterView view = views.get(i).get();
      op.observe(view);
      rebuilt.observe(view);
      String at = "view " + i + ": " + op;
      assertEquals(op.toString(), rebuilt.toString(), at);
      assertEquals(show(op.currentStep().orElse(null)),
          show(rebuilt.currentStep().orElse(null)), at);
      assertEquals(op.snapshotReceiver(), rebuilt.snapshotReceiver(), at);
      assertEquals(op.outcome(), rebuilt.outcome(), at);
      assertEquals(op.finishedSteps(), rebuilt.finishedSteps(), at);
    }
    assertTrue(op.isFinished() && op.outcome().succeeded(), "the views walk it to its end: "
        + op);
  }

  /** Steps compare by value; a split key is an array, which a record compares by identity. */
  private static String show(Step step) {
    return step instanceof SplitAt s ? "SplitAt " + s.rangeId() + " " + s.generation() + " "
        + (s.key() == null ? "middle" : HexFormat.of().formatHex(s.key())) : String.valueOf(step);
  }

  /** The views: as planned, then with each of {@code changes} in turn, a second apart. */
  private List<Supplier<ClusterView>> views(List<Supplier<RangeStats>> changes) {
    List<Supplier<ClusterView>> out = new ArrayList<>();
    out.add(cluster::build);
    for (Supplier<RangeStats> change : changes) {
      out.add(() -> cluster.now(cluster.now() + 1000).replace(change.get()).build());
    }
    return out;
  }

  private Supplier<RangeStats> range7(List<Long> voters, List<Long> learners, long leader) {
    return () -> ViewBuilder.with(cluster.rangeStats(7), 1, voters, learners, leader);
  }

  @Test
  void moveReplica() throws Exception {
    RangeStats r = cluster.rangeStats(7);
    assertSameOperator(new MoveReplica(r, 1, 4, "balance", cluster.now(), cluster.settings()),
        r, views(List.of(range7(List.of(1L, 2L, 3L), List.of(4L), 1),
            range7(List.of(1L, 2L, 3L), List.of(4L), 2),
            range7(List.of(4L, 2L, 3L), List.of(), 2))));
  }

  @Test
  void moveOfAStrayLearnerDemotesNoVoter() throws Exception {
    cluster.up(5).replace(ViewBuilder.with(cluster.rangeStats(7), 1, List.of(1L, 2L, 3L),
        List.of(4L), 1));
    RangeStats r = cluster.rangeStats(7);
    MoveReplica op = new MoveReplica(r, 4, 5, "drain", cluster.now(), cluster.settings());
    assertEquals(false, ((MoveReplica) roundTrip(op)).demotes());
    assertSameOperator(op, r, views(List.of(
        range7(List.of(1L, 2L, 3L), List.of(4L, 5L), 1),
        range7(List.of(1L, 2L, 3L, 5L), List.of(4L), 1),
        range7(List.of(1L, 2L, 3L, 5L), List.of(), 1))));
  }

  @Test
  void addReplica() throws Exception {
    RangeStats r = cluster.rangeStats(7);
    assertSameOperator(new AddReplica(r, 4, "repair", cluster.now(), cluster.settings()), r,
        views(List.of(range7(List.of(1L, 2L, 3L), List.of(4L), 1),
            range7(List.of(1L, 2L, 3L, 4L), List.of(), 1))));
  }

  @Test
  void removeReplicaOfAVoterAndOfAStrayLearner() throws Exception {
    RangeStats r = cluster.rangeStats(7);
    assertSameOperator(new RemoveReplica(r, 1, "surplus", cluster.now(), cluster.settings()),
        r, views(List.of(range7(List.of(1L, 2L, 3L), List.of(), 2),
            range7(List.of(2L, 3L), List.of(), 2))));
    cluster.replace(ViewBuilder.with(cluster.rangeStats(8), 1, List.of(1L, 2L, 3L),
        List.of(4L), 1));
    RangeStats withLearner = cluster.rangeStats(8);
    assertEquals(false, ((RemoveReplica) roundTrip(new RemoveReplica(withLearner, 4, "stray",
        cluster.now(), cluster.settings()))).removesVoter());
    assertEquals(true, ((RemoveReplica) roundTrip(new RemoveReplica(withLearner, 2,
        "surplus", cluster.now(), cluster.settings()))).removesVoter());
  }

  @Test
  void transferLeader() throws Exception {
    RangeStats r = cluster.rangeStats(7);
    assertSameOperator(new TransferLeader(r, 3, "leaders", cluster.now(), cluster.settings()),
        r, views(List.of(range7(List.of(1L, 2L, 3L), List.of(), 3))));
  }

  @Test
  void splitAtAKeyAndBySize() throws Exception {
    RangeStats r = cluster.rangeStats(7);
    Supplier<RangeStats> split = () -> new RangeStats(7, r.startKey(), r.loadSplitKey(), 2,
        r.voters(), List.of(), 1, 0, 0, 0, 0, null);
    assertSameOperator(new SplitRange(r, r.loadSplitKey(), 12_345, "load", cluster.now(),
        cluster.settings()), r, views(List.of(split)));
    cluster.replace(r);
    assertSameOperator(new SplitRange(r, null, 0, "size", cluster.now(), cluster.settings()), r,
        views(List.of(split)));
  }

  @Test
  void mergeRanges() throws Exception {
    RangeStats left = cluster.rangeStats(7);
    RangeStats right = cluster.rangeStats(8);
    ViewBuilder merged = new ViewBuilder().up(1, 2, 3, 4).now(cluster.now() + 1000)
        .range(7, 1, left.voters());
    merged.replace(new RangeStats(7, left.startKey(), right.endKey(), 2, left.voters(),
        List.of(), 1, 0, 0, 0, 0, null));
    MergeRanges op = new MergeRanges(left, right, "small", cluster.now(), cluster.settings());
    assertEquals(8, ((MergeRanges) roundTrip(op)).rightRangeId());
    assertSameOperator(op, left, List.of(cluster::build, merged::build));
  }
}
