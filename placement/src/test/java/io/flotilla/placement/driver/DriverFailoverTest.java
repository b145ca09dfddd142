package io.flotilla.placement.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.proto.ManualRequest;
import io.flotilla.placement.proto.ManualResponse;
import io.flotilla.placement.proto.MovePb;
import io.flotilla.placement.proto.OperatorsRequest;
import io.flotilla.placement.proto.OperatorsResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver's node stops in the middle of an operator: the next driver carries the operator on
 * under the same decision, on real nodes over gRPC.
 */
class DriverFailoverTest {
  private static final Duration WAIT = Duration.ofSeconds(180);
  /** A step may take a minute: the move waits for stopped nodes to come back. */
  private static final PlacementSettings SETTINGS = PlacementDriver.withoutMerges(
      PlacementSettings.builder()).set("store-down-after", 5_000).set("store-dead-after", 8_000)
      .set("cooldown", 20_000).set("step-timeout", 60_000).build();

  @TempDir
  Path dir;

  private DriverCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * A move waits half done: its learner is added and leadership has left the source, but the
   * source cannot be demoted, because a third voter of the range is stopped and the range's
   * four voters would keep only two live. Then the driver's node stops too. Once both are back,
   * the next driver has carried the move on from its recorded steps: the same decision ends
   * SUCCEEDED, its first steps as the first driver recorded them.
   */
  @Test
  void aMoveHalfDoneWhenTheDriversNodeStopsEndsUnderTheNextDriver() {
    cluster = new DriverCluster(dir, new PlacementDriver.Options(Duration.ofMillis(200),
        Duration.ofMillis(2000), SETTINGS));
    for (String n : List.of("n1", "n2", "n3", "n4")) {
      cluster.start(n);
    }
    cluster.awaitReplicated(WAIT);
    // Nothing planned from here on: only the moves this test asks for run.
    ok(cluster.ask(p -> p.manual(ManualRequest.newBuilder().setPauseBalancer(true).build()),
        ManualResponse::getError));
    cluster.await("the operators planned before the pause finished", WAIT, () -> {
      OperatorsResponse ops = cluster.ask(p -> p.operators(OperatorsRequest
          .getDefaultInstance()), OperatorsResponse::getError);
      return !ops.hasError() && ops.getDecisionsList().stream()
          .noneMatch(d -> d.getOutcome().isEmpty());
    });
    long range = cluster.leaderViews().keySet().stream().filter(id -> id != 1).findFirst()
        .orElseThrow();
    long driver = cluster.driverNode();
    // The blocker holds no replica of the system range: with it and the driver's node both
    // stopped, the system range keeps a quorum and elects the next driver.
    long blocker = others(voters(1)).get(0);
    // The range's voters are the driver's node, the blocker and the source; the target is the
    // fourth node.
    long lacking = others(voters(range)).get(0);
    if (lacking == driver || lacking == blocker) {
      long from = voters(range).stream().filter(id -> id != driver && id != blocker)
          .findFirst().orElseThrow();
      awaitSucceeded(move(range, from, lacking));
    }
    long target = others(voters(range)).get(0);
    long source = voters(range).stream().filter(id -> id != driver && id != blocker)
        .findFirst().orElseThrow();

    cluster.kill(blocker);
    cluster.await("no node counts node " + blocker + " live", WAIT, () -> cluster.nodes
        .values().stream().noneMatch(n -> n.liveNodes().contains(blocker)));
    long id = move(range, source, target);
    cluster.await("decision " + id + " added the learner and cannot demote store " + source,
        WAIT, () -> {
          DecisionPb d = decision(id);
          return logged("placement: decision " + id + ": Promote", " not taken: ")
              && d != null && d.getStepsCount() == 2;
        });
    DecisionPb halfDone = decision(id);
    assertEquals("", halfDone.getOutcome(), "still under way when the driver stops");
    long stopped = cluster.driverNode();
    cluster.kill(stopped);
    cluster.await("another node drives", WAIT,
        () -> cluster.driverNode() != 0 && cluster.driverNode() != stopped);
    cluster.restart(blocker);
    cluster.restart(stopped);

    DecisionPb[] last = new DecisionPb[1];
    cluster.await("decision " + id + " has an outcome", WAIT, () -> {
      last[0] = decision(id);
      return last[0] != null && !last[0].getOutcome().isEmpty();
    });
    assertEquals("SUCCEEDED", last[0].getOutcome(), last[0].toString());
    assertTrue(logged("placement: decision " + id + " of the driver on node ",
        " carried on by node "), "the next driver says it carried decision " + id + " on");
    assertEquals(halfDone.getStepsList(), last[0].getStepsList().subList(0, 2),
        "the steps the first driver recorded are kept");
    assertEquals(4, last[0].getStepsCount(), last[0].toString());
    cluster.await("range " + range + " has moved from store " + source + " to store " + target,
        WAIT, () -> {
          RangeInfo ri = cluster.leaderViews().get(range);
          return ri != null && ri.descriptor().members().voters().contains(target)
              && !ri.descriptor().members().voters().contains(source)
              && !ri.descriptor().members().learners().contains(source);
        });
  }

  /** The cluster's nodes outside {@code members}, lowest id first. */
  private List<Long> others(Set<Long> members) {
    return cluster.nodes.keySet().stream().filter(id -> !members.contains(id)).sorted()
        .toList();
  }

  private long move(long range, long from, long to) {
    ManualResponse r = ok(cluster.ask(p -> p.manual(ManualRequest.newBuilder()
        .setMove(MovePb.newBuilder().setRangeId(range).setFromStore(from).setToStore(to))
        .build()), ManualResponse::getError));
    return r.getDecision();
  }

  private void awaitSucceeded(long id) {
    cluster.await("decision " + id + " succeeded", WAIT, () -> {
      DecisionPb d = decision(id);
      if (d != null && !d.getOutcome().isEmpty() && !d.getOutcome().equals("SUCCEEDED")) {
        throw new AssertionError("setting up: " + d);
      }
      return d != null && d.getOutcome().equals("SUCCEEDED");
    });
  }

  /** Decision {@code id} as the driver reads it now, or null if it cannot say. */
  private DecisionPb decision(long id) {
    OperatorsResponse ops = cluster.ask(p -> p.operators(OperatorsRequest.getDefaultInstance()),
        OperatorsResponse::getError);
    return ops.getDecisionsList().stream().filter(d -> d.getId() == id).findFirst()
        .orElse(null);
  }

  private Set<Long> voters(long range) {
    return new HashSet<>(cluster.leaderViews().get(range).descriptor().members().voters());
  }

  /** Whether a node logged a line containing every one of {@code parts}. */
  private boolean logged(String... parts) {
    synchronized (cluster.log) {
      return cluster.log.stream().anyMatch(line -> List.of(parts).stream()
          .allMatch(line::contains));
    }
  }

  private static ManualResponse ok(ManualResponse r) {
    assertFalse(r.hasError(), r.toString());
    return r;
  }
}
