package io.flotilla.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.raft.PlantedBug;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every classic bug the core can plant must be caught by the simulation within the normal seed
 * budget (the 3-member seeds, then the 5-member ones), as a safety violation. Seeds run in order
 * and stop at the first failure, so the reported seed is the lowest one that catches the bug.
 */
class PlantedBugTest {

  @ParameterizedTest
  @EnumSource(PlantedBug.class)
  void simulationCatchesPlantedBug(PlantedBug bug) {
    SimOptions three = SimOptions.of(1).withTicks(SimulationTest.TICKS).withBugs(Set.of(bug));
    RunSummary s = SimulationRunner.run(three, 1, SimulationTest.SEEDS_3,
        SimulationTest.threads(), true, null);
    if (s.ok()) {
      SimOptions five = three.withMembers(5).withSeed(SimulationTest.FIRST_SEED_5);
      s = SimulationRunner.run(five, SimulationTest.FIRST_SEED_5, SimulationTest.SEEDS_5,
          SimulationTest.threads(), true, null);
    }
    assertFalse(s.ok(), bug + " was not caught: " + s.summaryLine());
    SimResult first = s.failures().get(0);
    System.out.println(bug + " caught by seed " + first.seed() + " after " + s.seeds()
        + " seeds: " + first.invariant() + ": " + first.description() + "\n  replay: "
        + first.replayCommand());
    assertTrue(first.violation(), "caught only as " + first.invariant());
    assertFalse(first.invariant().equals("harness exception"), first.report());
  }
}
