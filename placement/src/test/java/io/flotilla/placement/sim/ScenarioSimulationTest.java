package io.flotilla.placement.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every scenario converges, never thrashes and never leaves a range without a quorum. */
class ScenarioSimulationTest {
  static Scenario scenario(String name) throws IOException, URISyntaxException {
    return ScenarioParser.parse(Path.of(ScenarioSimulationTest.class
        .getResource("/scenarios/" + name + ".txt").toURI()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"add-stores", "kill-store", "decommission", "hot-range", "drop-data"})
  void convergesWithoutThrashOrLostQuorum(String name) throws Exception {
    SimReport report = new Simulation(scenario(name), 1).run();
    String text = report.format();
    System.out.print(text);
    assertTrue(report.converged(), text);
    assertEquals(java.util.List.of(), report.thrash(), text);
    assertEquals(java.util.List.of(), report.quorumViolations(), text);
    assertEquals(java.util.List.of(), report.problems(), text);
    assertEquals(0, report.underReplicatedAtEnd(), text);
    assertTrue(text.contains("converged after " + report.rounds() + " rounds"), text);
    assertTrue(text.contains("replica moves: " + report.replicaMoves() + ", lower bound "
        + report.minimumMoves()), text);
  }
}
