package io.flotilla.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.sim.Simulation.Sabotage;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The history checks must bite too: sabotage the clients' side (not the core) and expect a
 * violation. Without this, a checker that accepts everything would look like a correct system.
 */
class HarnessSelfTest {
  private static final int MAX_SEEDS = 300;

  private static SimResult firstFailure(Sabotage sabotage) {
    for (long seed = 1; seed <= MAX_SEEDS; seed++) {
      SimResult r = new Simulation(SimOptions.of(seed).withTicks(1000), sabotage).run();
      if (!r.ok()) {
        System.out.println(sabotage + " caught by seed " + seed + ": " + r.invariant() + ": "
            + r.description());
        return r;
      }
    }
    throw new AssertionError(sabotage + " not caught in " + MAX_SEEDS + " seeds");
  }

  @Test
  void staleReadsAreCaught() {
    SimResult r = firstFailure(Sabotage.STALE_READS);
    assertTrue(r.invariant().equals("linearizability"), r.report());
  }

  @Test
  void acknowledgingBeforeCommitIsCaught() {
    SimResult r = firstFailure(Sabotage.EARLY_ACKS);
    assertTrue(Set.of("linearizability", "acknowledged proposal lost").contains(r.invariant()),
        r.report());
  }
}
