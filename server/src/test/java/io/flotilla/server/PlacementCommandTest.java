package io.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.config.HostPort;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.placement.driver.PlacementDriver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The placement commands against a one-node cluster running the driver on loopback. */
class PlacementCommandTest {
  @TempDir
  static Path dir;

  private static Node node;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final Main main = new Main(new PrintStream(outBytes, true, StandardCharsets.UTF_8),
      new PrintStream(errBytes, true, StandardCharsets.UTF_8), 2);

  @BeforeAll
  static void startNode() {
    PlacementDriver.Options fast = new PlacementDriver.Options(Duration.ofMillis(100),
        Duration.ofSeconds(1), PlacementDriver.Options.DEFAULTS.settings());
    node = Node.start(NodeConfig.of(dir.resolve("n1"), new HostPort("127.0.0.1", 0), List.of())
        .withHttp(Optional.empty()), line -> { }, List.of(new PlacementDriver(fast)));
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  private int run(String... args) {
    outBytes.reset();
    errBytes.reset();
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--addr", node.address()));
    return main.run(all);
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void listsStoresAndRangesAndRunsAndLogsASplit() {
    assertEquals(0, run("stores"), err());
    assertTrue(out().contains("placement driver: node " + node.nodeId()), out());
    assertTrue(out().lines().anyMatch(l -> l.startsWith(node.nodeId() + " ")
        && l.contains("up") && l.contains("yes")), out());

    assertEquals(0, run("split", "m"), err());
    assertTrue(out().startsWith("decision "), out());
    long decision = Long.parseLong(out().split("[ :]")[1]);
    long deadline = System.nanoTime() + 30_000_000_000L;
    do {
      assertEquals(0, run("operators"), err());
    } while (!out().contains("#" + decision + " SUCCEEDED") && System.nanoTime() < deadline);
    assertTrue(out().contains("#" + decision + " SUCCEEDED"), out());
    assertTrue(out().contains("because asked: flotilla split"), out());

    assertEquals(0, run("ranges"), err());
    assertTrue(out().contains("'m'"), out());
    assertEquals(4, out().lines().count(), "a header, the system range, two user ranges: "
        + out());
  }

  @Test
  void refusesWhatCannotBeDoneAndBadArguments() {
    assertEquals(Command.FAILED, run("move", "2", "1", "9"));
    assertTrue(err().contains("refused") && err().contains("store"), err());
    assertEquals(Command.USAGE, run("move", "2", "x", "3"));
    assertTrue(err().contains("FROM must be a positive number"), err());
    assertEquals(Command.USAGE, run("balancer", "sideways"));
    assertEquals(0, run("balancer", "pause"), err());
    assertEquals(0, run("operators"), err());
    assertTrue(out().contains("the balancer is paused"), out());
    assertEquals(0, run("balancer", "resume"), err());
  }
}
