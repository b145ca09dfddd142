package io.flotilla.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.raft.PlantedBug;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A seed must replay bit for bit: in the same JVM, in another JVM (where hash-ordered sets
 * iterate differently), and whatever the runner's thread count.
 */
class DeterminismTest {

  @Test
  void sameSeedSameTrace() {
    List<SimOptions> runs = List.of(SimOptions.of(7), SimOptions.of(8).withMembers(5),
        SimOptions.of(396).withBugs(Set.of(PlantedBug.COMMIT_PREVIOUS_TERM_BY_COUNTING)),
        SimOptions.of(1).withBugs(Set.of(PlantedBug.VOTE_WITHOUT_LOG_CHECK)));
    for (SimOptions o : runs) {
      SimResult a = SimulationRunner.runSeed(o);
      SimResult b = SimulationRunner.runSeed(o);
      assertEquals(a.traceHash(), b.traceHash(), "trace hash of " + o.replayCommand());
      assertEquals(a.events(), b.events());
      assertEquals(a.stats(), b.stats());
      assertEquals(a.trace(), b.trace());
      assertEquals(a.invariant(), b.invariant());
    }
  }

  @Test
  void differentSeedsDiffer() {
    assertTrue(SimulationRunner.runSeed(SimOptions.of(1)).traceHash()
        != SimulationRunner.runSeed(SimOptions.of(2)).traceHash());
  }

  @Test
  void threadCountDoesNotChangeResults() {
    SimOptions base = SimOptions.of(500).withTicks(600);
    RunSummary one = SimulationRunner.run(base, 500, 24, 1, false, null);
    RunSummary three = SimulationRunner.run(base, 500, 24, 3, false, null);
    assertEquals(one.stats(), three.stats());
    assertEquals(one.seeds(), three.seeds());
    assertEquals(one.failures().size(), three.failures().size());
  }

  @Test
  void anotherJvmReplaysTheSameTrace() throws IOException, InterruptedException {
    SimOptions o = SimOptions.of(11).withMembers(5);
    SimResult here = SimulationRunner.runSeed(o);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        ReplayInChildJvm.class.getName(), "11", "5"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String hashLine = null;
    StringBuilder all = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        all.append(line).append('\n');
        if (line.startsWith("trace hash ")) {
          hashLine = line;
        }
      }
    }
    p.waitFor();
    assertEquals(String.format(Locale.ROOT, "trace hash %016x, %d events", here.traceHash(),
        here.events()), hashLine, all.toString());
  }

  /** The child JVM's entry point: replays one seed and prints its trace hash. */
  static final class ReplayInChildJvm {
    public static void main(String[] args) {
      SimOptions o = SimOptions.of(Long.parseLong(args[0])).withMembers(Integer.parseInt(args[1]));
      System.exit(SimulationRunner.replay(o, System.out).ok() ? 0 : 1);
    }
  }
}
