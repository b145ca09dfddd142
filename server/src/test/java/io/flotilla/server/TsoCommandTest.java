package io.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.config.HostPort;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.placement.tso.TimestampOracle;
import io.flotilla.placement.tso.TsoOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla tso} against a one-node cluster with the timestamp oracle on loopback. */
class TsoCommandTest {
  @TempDir
  static Path dir;

  private static Node node;

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final Main main = new Main(new PrintStream(outBytes, true, StandardCharsets.UTF_8),
      new PrintStream(errBytes, true, StandardCharsets.UTF_8), 2);

  @BeforeAll
  static void startNode() {
    node = Node.start(NodeConfig.of(dir.resolve("n1"), new HostPort("127.0.0.1", 0), List.of())
            .withHttp(Optional.empty()), line -> { },
        List.of(TimestampOracle.extension(TsoOptions.DEFAULTS)));
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private static long first(String line) {
    return Long.parseLong(line.split(" ")[line.startsWith("last") ? 2 : 1]);
  }

  @Test
  void printsContiguousTimestampsThatGrowFromCallToCall() {
    assertEquals(0, main.run(List.of("tso", "--addr", node.address(), "--count", "5")),
        errBytes.toString(StandardCharsets.UTF_8));
    String[] lines = out().split("\n");
    assertEquals(2, lines.length, out());
    assertTrue(lines[0].startsWith("first ") && lines[1].startsWith("last  "), out());
    long first = first(lines[0]);
    assertEquals(first + 4, Long.parseLong(lines[1].substring(6).split(" ")[0]));
    assertTrue(lines[0].contains("Z +"), "shows the physical time: " + lines[0]);

    outBytes.reset();
    assertEquals(0, main.run(List.of("tso", "--addr", node.address())));
    assertTrue(first(out().strip()) > first + 4, out());
  }

  @Test
  void refusesABadCountAndAnswersHelp() {
    assertEquals(Command.USAGE, main.run(List.of("tso", "--count", "0")));
    assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("--count"),
        errBytes.toString(StandardCharsets.UTF_8));
    assertEquals(Command.OK, main.run(List.of("tso", "--help")));
    assertTrue(out().startsWith("usage: flotilla tso"), out());
  }
}
