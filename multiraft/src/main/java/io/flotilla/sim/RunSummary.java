package io.flotilla.sim;

import io.flotilla.sim.SimStats.Counter;
import java.util.List;

/**
 * The outcome of many seeds.
 *
 * @param base the options every seed ran with (its seed is the first seed)
 * @param seeds seeds actually run (fewer than asked when stopping at the first failure)
 * @param violations seeds that broke a safety invariant
 * @param livenessFailures seeds that were not live again within the bound after the heal
 * @param failures every failing seed's result, in seed order
 * @param stats counters summed over all seeds
 * @param elapsedMillis wall-clock time, for the report only
 */
public record RunSummary(SimOptions base, int seeds, int violations, int livenessFailures,
    List<SimResult> failures, SimStats stats, long elapsedMillis) {

  public RunSummary {
    failures = List.copyOf(failures);
  }

  public boolean ok() {
    return failures.isEmpty();
  }

  /** Every counter, summed (the recovery time is the maximum over seeds). */
  public String statsLine() {
    return stats.toString();
  }

  /** The one-line summary the CLI prints. */
  public String summaryLine() {
    return "seeds " + seeds + ", ticks/seed " + base.ticks() + ", nodes " + base.members()
        + (base.bugs().isEmpty() ? "" : ", bugs " + base.bugs())
        + ", violations " + violations + ", liveness failures " + livenessFailures
        + ", elections " + stats.get(Counter.ELECTIONS)
        + ", commits " + stats.get(Counter.COMMITS)
        + ", reads " + stats.get(Counter.READS)
        + ", crashes " + stats.get(Counter.CRASHES)
        + ", partitions " + (stats.get(Counter.PARTITIONS) + stats.get(Counter.ONE_WAY_PARTITIONS))
        + ", snapshots " + stats.get(Counter.SNAPSHOTS_INSTALLED)
        + ", conf changes " + stats.get(Counter.CONF_CHANGES_APPLIED)
        + ", transfers " + stats.get(Counter.LEADER_TRANSFERS)
        + ", elapsed " + (elapsedMillis + 500) / 1000 + "s";
  }
}
