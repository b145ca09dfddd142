package io.flotilla.placement.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A seed replays a run exactly; another seed makes another run. */
class SimulationReplayTest {
  /** Ranges too large to merge: with one of four stores dead, repair has exactly one store
   *  to use and may have to send a range back to a store a merge alignment moved it off. */
  private static final List<String> SCENARIO = List.of("stores 4", "ranges 120 size 40MiB",
      "load writes 500 skew 1.0", "set store-dead-after 1m", "kill-store 2 at round 1");

  private static SimReport run(long seed) {
    return new Simulation(ScenarioParser.parse("replay", "replay", SCENARIO), seed).run();
  }

  @Test
  void theSameSeedGivesTheSameReport() {
    SimReport first = run(42);
    assertEquals(first, run(42));
    assertEquals(List.of(), first.problems(), first.format());
    assertNotEquals(first.format(), run(43).format());
  }
}
