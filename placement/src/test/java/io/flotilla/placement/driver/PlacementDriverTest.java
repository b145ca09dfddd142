package io.flotilla.placement.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.client.KvEntry;
import io.flotilla.placement.model.PlacementSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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

  private void startFourNodesWithRanges(int ranges) {
    cluster = new DriverCluster(dir);
    for (String n : java.util.List.of("n1", "n2", "n3", "n4")) {
      cluster.start(n);
    }
    for (int i = 1; i < ranges - 1; i++) {
      cluster.split(String.format("k%03d", i * 10).getBytes(StandardCharsets.UTF_8));
    }
    cluster.await("every range has three voters", WAIT, () -> {
      Map<Long, RangeInfo> views = cluster.leaderViews();
      return views.size() == ranges && views.values().stream()
          .allMatch(ri -> ri.descriptor().members().voters().size() == 3
              && ri.descriptor().members().learners().isEmpty());
    });
  }

  /**
   * The node that drives placement dies: another node takes the driver over, finds the decisions
   * of the first in the system range, and re-creates every replica the dead node held.
   */
  @Test
  void whenTheDriversNodeDiesAnotherTakesOverAndRepairsEveryRange() {
    startFourNodesWithRanges(12);
    long driver = cluster.driverNode();
    OperatorsResponse before = cluster.placement().operators(OperatorsRequest.newBuilder()
        .setLimit(1000).build());
    assertTrue(before.getDecisionsCount() > 0, before.toString());
    cluster.kill(driver);
    cluster.await("a new driver and every range on three live voters", WAIT, () -> {
      long now = cluster.driverNode();
      Map<Long, RangeInfo> views = cluster.leaderViews();
      return now != 0 && now != driver && views.size() == 12 && views.values().stream()
          .allMatch(ri -> ri.descriptor().members().voters().size() == 3
              && !ri.descriptor().members().voters().contains(driver)
              && ri.descriptor().members().learners().isEmpty());
    });
    OperatorsResponse after = cluster.placement().operators(OperatorsRequest.newBuilder()
        .setLimit(1000).build());
    java.util.Set<Long> ids = new java.util.HashSet<>();
    after.getDecisionsList().forEach(d -> ids.add(d.getId()));
    before.getDecisionsList().forEach(d -> assertTrue(ids.contains(d.getId()),
        "decision " + d.getId() + " of the first driver is still in the log"));
    assertTrue(after.getDecisionsList().stream().allMatch(d -> d.getDriver() == driver
        || !d.getOutcome().isEmpty() || d.getDriver() == cluster.driverNode()), after.toString());
    assertTrue(after.getDecisionsList().stream().anyMatch(d -> d.getDriver() != driver
        && d.getReason().contains("store " + driver)), "repair names the dead store: " + after);
  }

  /**
   * With a split size of 1 MiB, a range written past it is split by the driver where its
   * leader's store finds the middle of its bytes, logged as a succeeded decision; the halves
   * serve every key.
   */
  @Test
  void aRangeThatGrowsPastTheSplitSizeIsSplitInTheMiddle() {
    PlacementSettings settings = PlacementDriver.withoutMerges(PlacementSettings.builder())
        .set("store-down-after", 1500).set("store-dead-after", 3000).set("cooldown", 20_000)
        .set("step-timeout", 20_000).set("split-size", 1 << 20).build();
    cluster = new DriverCluster(dir, new PlacementDriver.Options(Duration.ofMillis(200),
        Duration.ofMillis(1000), settings));
    cluster.start("n1");
    cluster.start("n2");
    cluster.start("n3");
    SplittableRandom random = new SplittableRandom(5);
    try (KvClient client = new KvClient(cluster.nodes.values().stream().map(Node::address)
        .toList(), KvClientOptions.defaults().withTotalTimeout(Duration.ofSeconds(60)))) {
      List<KvEntry> batch = new ArrayList<>();
      for (int i = 0; i < 240; i++) { // about 2.4 MiB
        byte[] value = new byte[10_000];
        random.nextBytes(value);
        batch.add(new KvEntry(String.format("big%04d", i).getBytes(StandardCharsets.UTF_8),
            value));
        if (batch.size() == 20) {
          client.batchPut(batch);
          batch.clear();
        }
      }
      cluster.await("a split by size succeeded", WAIT, () -> cluster.placement()
          .operators(OperatorsRequest.newBuilder().setLimit(1000).build()).getDecisionsList()
          .stream().anyMatch(d -> d.getKind().equals("split-range")
              && d.getOutcome().equals("SUCCEEDED")
              && d.getReason().contains("above the split size")));
      assertTrue(cluster.leaderViews().size() >= 3, cluster.leaderViews().toString());
      assertEquals(10_000, client.get("big0000".getBytes(StandardCharsets.UTF_8)).length);
      assertEquals(10_000, client.get("big0239".getBytes(StandardCharsets.UTF_8)).length);
    }
  }

  @Test
  void aDecommissionedNodeEndsEmpty() {
    startFourNodesWithRanges(8);
    long victim = cluster.nodes.keySet().stream().filter(id -> id != cluster.driverNode())
        .max(Long::compare).orElseThrow();
    var answer = cluster.placement().manual(io.flotilla.placement.proto.ManualRequest
        .newBuilder().setDecommission(victim).build());
    assertTrue(!answer.hasError(), answer.toString());
    cluster.await("node " + victim + " holds no replica and is decommissioned", WAIT, () -> {
      boolean empty = cluster.leaderViews().values().stream().noneMatch(ri ->
          ri.descriptor().members().voters().contains(victim)
              || ri.descriptor().members().learners().contains(victim));
      var stores = cluster.placement().stores(io.flotilla.placement.proto.StoresRequest
          .getDefaultInstance());
      return empty && stores.getStoresList().stream().anyMatch(s -> s.getStoreId() == victim
          && s.getState() == io.flotilla.placement.proto.StoreStatePb.DECOMMISSIONED);
    });
  }
}
