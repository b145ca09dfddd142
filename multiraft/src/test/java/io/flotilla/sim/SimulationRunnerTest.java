package io.flotilla.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.raft.PlantedBug;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Running ranges of seeds, replaying one, and what is printed for people. */
class SimulationRunnerTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void replayOfOneSeedPrintsItsTraceHash() {
    SimResult r = SimulationRunner.replay(SimOptions.of(3).withTicks(500), out);
    assertTrue(r.ok(), printed());
    assertTrue(printed().contains("seed 3: ok"), printed());
    assertTrue(printed().contains("trace hash "), printed());
  }

  @Test
  void rangeOfSeedsPrintsSummary() {
    RunSummary s = SimulationRunner.run(SimOptions.of(10).withTicks(400).withMembers(5), 10, 4,
        2, false, out);
    assertTrue(s.ok(), printed());
    assertEquals(4, s.seeds());
    assertTrue(printed().contains(
        "seeds 4, ticks/seed 400, nodes 5, violations 0, liveness failures 0"), printed());
  }

  @Test
  void failingSeedPrintsTheCommandThatReplaysIt() {
    RunSummary s = SimulationRunner.run(
        SimOptions.of(1).withBugs(Set.of(PlantedBug.VOTE_WITHOUT_LOG_CHECK)), 1, 100, 2, true,
        out);
    assertFalse(s.ok());
    assertTrue(printed().matches("(?s).*replay: \\./flotilla sim --seed \\d+ --ticks 2000 "
        + "--nodes 3 --bug vote-without-log-check.*"), printed());
  }

  @Test
  void replayCommandNamesEverything() {
    assertEquals("./flotilla sim --seed 9 --ticks 1500 --nodes 5 --bug no-conflict-truncation",
        new SimOptions(9, 1500, 5, Set.of(PlantedBug.NO_CONFLICT_TRUNCATION), false)
            .replayCommand());
  }
}
