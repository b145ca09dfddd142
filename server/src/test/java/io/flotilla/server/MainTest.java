package io.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dispatcher and every command's --help, bad-argument and success paths. */
class MainTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final Main main = new Main(stream(outBytes), stream(errBytes), 4);

  private static PrintStream stream(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  private int run(String... args) {
    return main.run(List.of(args));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpListsEveryCommand() {
    assertEquals(0, run("--help"));
    for (String name : List.of("demo", "start", "status", "sim", "simdemo", "placement-sim",
        "version", "help")) {
      assertTrue(out().contains("\n  " + name + " "), out());
    }
    assertEquals("", err());
  }

  @Test
  void noCommandPrintsUsageAndFails() {
    assertEquals(2, run());
    assertTrue(err().startsWith("usage: flotilla <command>"), err());
  }

  @Test
  void unknownCommandFailsWithASuggestion() {
    assertEquals(2, run("simm"));
    assertTrue(err().startsWith("flotilla: unknown command 'simm'; did you mean 'sim'?\n"), err());
    assertEquals(2, run("frobnicate"));
    assertTrue(err().contains("flotilla: unknown command 'frobnicate'\n"), err());
  }

  @Test
  void everyCommandAnswersHelp() {
    for (String name : List.of("demo", "start", "status", "sim", "simdemo", "placement-sim",
        "version", "help")) {
      outBytes.reset();
      assertEquals(0, run(name, "--help"), name);
      assertTrue(out().startsWith("usage: flotilla " + name), out());
      outBytes.reset();
      assertEquals(0, run("help", name), name);
      assertTrue(out().startsWith("usage: flotilla " + name), out());
    }
    assertEquals("", err());
  }

  @Test
  void simHelpWinsOverOtherArguments() {
    assertEquals(0, run("sim", "--seeds", "nonsense", "-h"));
    assertTrue(out().contains("--seeds N"), out());
  }

  @Test
  void simRunsTheSeedsAndSummarizes() {
    assertEquals(0, run("sim", "--seeds", "3", "--ticks", "500"));
    assertTrue(out().startsWith("flotilla sim: 3 seeds from 1 to 3, 3 nodes, 500 ticks per run,"),
        out());
    assertTrue(out().contains("seeds 3, ticks/seed 500, nodes 3, violations 0, liveness failures 0"),
        out());
  }

  @Test
  void simWithAPlantedBugFailsAndPrintsTheReplayCommand() {
    assertEquals(1, run("sim", "--seeds", "20", "--bug", "vote-without-log-check"));
    assertTrue(out().contains("replay: ./flotilla sim --seed "), out());
    assertTrue(out().contains("--bug vote-without-log-check"), out());
  }

  @Test
  void badArgumentsNameTheArgumentAndExitTwo() {
    assertEquals(2, run("sim", "--seeds", "x"));
    assertEquals("flotilla sim: option '--seeds' expects a whole number from 1 to 2147483647,"
        + " got 'x'\nRun 'flotilla sim --help' for usage.\n", err());
    assertEquals("", out());
    errBytes.reset();
    assertEquals(2, run("simdemo", "--nodes", "4"));
    assertTrue(err().startsWith("flotilla simdemo: option '--nodes' expects 3 or 5, got '4'\n"),
        err());
    errBytes.reset();
    assertEquals(2, run("version", "now"));
    assertTrue(err().startsWith("flotilla version: unexpected argument 'now'\n"), err());
    errBytes.reset();
    assertEquals(2, run("help", "frobnicate"));
    assertTrue(err().startsWith("flotilla help: unknown command 'frobnicate'\n"), err());
  }

  @Test
  void startRefusesBadSettingsNamingTheKey() {
    assertEquals(2, run("start", "--listen", "127.0.0.1:7401"));
    assertTrue(err().contains("'node.store' (--store DIR) is required"), err());
    errBytes.reset();
    assertEquals(2, run("start", "--store", "x", "--set", "raft.election-tick=5"));
    assertTrue(err().contains("unknown setting 'raft.election-tick'"), err());
    assertTrue(err().contains("did you mean 'raft.election-ticks'?"), err());
    errBytes.reset();
    assertEquals(2, run("start", "--store", "x", "--join", "nowhere"));
    assertTrue(err().contains("'node.join'"), err());
    assertEquals("", out());
  }

  @Test
  void statusFailsWhenNoNodeAnswers() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertEquals(1, run("status", "--addr", "127.0.0.1:" + port, "--timeout", "1"));
    assertTrue(err().startsWith("flotilla status: no node answered:\n  127.0.0.1:" + port),
        err());
  }

  @Test
  void simdemoNarratesASimulatedCluster() {
    assertEquals(0, run("simdemo", "--ticks", "800"));
    assertTrue(out().startsWith("flotilla: a 3-member Raft group"), out());
    assertTrue(out().contains(" LEADER term "), out());
    assertTrue(out().contains("every invariant held after every event"), out());
  }

  @Test
  void versionNamesTheJavaRuntime() {
    assertEquals(0, run("version"));
    assertTrue(out().startsWith("flotilla "), out());
    assertTrue(out().contains("Java " + Runtime.version()), out());
    outBytes.reset();
    assertEquals(0, run("--version"));
    assertTrue(out().contains("Java " + Runtime.version()), out());
  }
}
