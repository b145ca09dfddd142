package io.flotilla.placement.driver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.placement.proto.OperatorsRequest;
import io.flotilla.placement.proto.OperatorsResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver on a real cluster: replication, rebalancing onto a new node, repair, decommission. */
class PlacementDriverTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  private DriverCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aFourthNodeGetsItsShareOfReplicasAndLeaders() {
    cluster = new DriverCluster(dir);
    cluster.start("n1");
    cluster.start("n2");
    cluster.start("n3");
    int ranges = 24;
    for (int i = 1; i < ranges - 1; i++) {
      cluster.split(String.format("k%03d", i * 10).getBytes(StandardCharsets.UTF_8));
    }
    cluster.await("every range has three voters", WAIT, () -> {
      Map<Long, RangeInfo> views = cluster.leaderViews();
      return views.size() == ranges && views.values().stream()
          .allMatch(ri -> ri.descriptor().members().voters().size() == 3);
    });
    Node n4 = cluster.start("n4");
    cluster.await("node 4 holds about a quarter of the replicas and leaders", WAIT, () -> {
      Map<Long, Integer> replicas = new HashMap<>();
      Map<Long, Integer> leaders = new HashMap<>();
      Map<Long, RangeInfo> views = cluster.leaderViews();
      if (views.size() != ranges) {
        return false;
      }
      for (RangeInfo ri : views.values()) {
        if (ri.descriptor().members().voters().size() != 3
            || !ri.descriptor().members().learners().isEmpty()) {
          return false;
        }
        ri.descriptor().members().voters().forEach(v -> replicas.merge(v, 1, Integer::sum));
        leaders.merge(ri.leader(), 1, Integer::sum);
      }
      double meanReplicas = 3.0 * ranges / 4;
      double meanLeaders = ranges / 4.0;
      return replicas.size() == 4 && replicas.values().stream()
          .allMatch(c -> Math.abs(c - meanReplicas) <= Math.max(1, 0.1 * meanReplicas))
          && leaders.size() == 4 && leaders.values().stream()
          .allMatch(c -> Math.abs(c - meanLeaders) <= Math.max(1, 0.1 * meanLeaders + 1));
    });
    OperatorsResponse ops = cluster.placement().operators(OperatorsRequest.newBuilder()
        .setLimit(1000).build());
    assertTrue(ops.getDecisionsList().stream().anyMatch(d -> d.getKind().equals("move-replica")
        && d.getOutcome().equals("SUCCEEDED") && !d.getReason().isEmpty()), ops.toString());
    System.out.printf("node %d joined; %d decisions, %d moves succeeded%n", n4.nodeId(),
        ops.getDecisionsCount(), ops.getDecisionsList().stream()
            .filter(d -> d.getKind().equals("move-replica")
                && d.getOutcome().equals("SUCCEEDED")).count());
  }
}
