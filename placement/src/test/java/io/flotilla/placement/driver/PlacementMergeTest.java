package io.flotilla.placement.driver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.proto.OperatorsRequest;
import io.flotilla.placement.proto.OperatorsResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The placement driver merges small ranges on real nodes: eight empty user ranges on three
 * nodes, with merges on (a small {@code merge-size}), end up as fewer ranges, each merge logged
 * as a decision that SUCCEEDED; the system range never merges.
 */
class PlacementMergeTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

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
  void smallEmptyRangesAreMergedIntoFewer() {
    PlacementSettings settings = PlacementSettings.builder().set("merge-size", 1 << 20)
        .set("store-down-after", 5_000).set("store-dead-after", 8_000).set("cooldown", 20_000)
        .set("step-timeout", 20_000).build();
    cluster = new DriverCluster(dir, new PlacementDriver.Options(Duration.ofMillis(200),
        Duration.ofMillis(2000), settings));
    cluster.start("n1");
    cluster.start("n2");
    cluster.start("n3");
    int ranges = 9; // the system range and eight user ranges
    for (int i = 1; i < ranges - 1; i++) {
      cluster.split(String.format("k%03d", i * 10).getBytes(StandardCharsets.UTF_8));
    }
    cluster.await("the driver merged user ranges", WAIT, () -> {
      Map<Long, RangeInfo> views = cluster.leaderViews();
      return views.size() <= 3 && views.containsKey(1L);
    });
    OperatorsResponse ops = cluster.ask(p -> p.operators(OperatorsRequest.newBuilder()
        .setLimit(1000).build()), OperatorsResponse::getError);
    assertTrue(ops.getDecisionsList().stream().anyMatch(d -> d.getKind().startsWith("merge")
        && d.getOutcome().equals("SUCCEEDED")), ops.toString());
    RangeInfo system = cluster.leaderViews().get(1L);
    assertTrue(system.descriptor().startKey().length == 0
        && system.descriptor().endKey().length == 1, "the system range kept its span: " + system);
  }
}
