package io.flotilla.placement.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * What a simulation run did and whether it kept its promises. {@link #problems} lists every
 * broken invariant (a range below a quorum of live voters, a range moved back to a store it
 * left) and every unmet expectation of the scenario; a clean run has none.
 */
public record SimReport(String scenario, long seed, int startStores, int endStores,
    int startRanges, int endRanges, boolean converged, int rounds, int roundsAfterLastEvent,
    long replicaMoves, long minimumMoves, int leaderTransfers, int splits, int merges,
    int succeeded, int failed, int timedOut, int droppedSteps, int underReplicatedAtEnd,
    List<String> thrash, List<String> quorumViolations, List<String> unmetExpectations) {

  public SimReport {
    thrash = List.copyOf(thrash);
    quorumViolations = List.copyOf(quorumViolations);
    unmetExpectations = List.copyOf(unmetExpectations);
  }

  /** Replica moves over the lower bound; 1 when both are 0. */
  public double movesOverMinimum() {
    if (minimumMoves == 0) {
      return replicaMoves == 0 ? 1 : Double.POSITIVE_INFINITY;
    }
    return (double) replicaMoves / minimumMoves;
  }

  public List<String> problems() {
    List<String> all = new ArrayList<>();
    if (!converged) {
      all.add("did not converge within " + rounds + " rounds");
    }
    thrash.forEach(t -> all.add("thrash: " + t));
    quorumViolations.forEach(q -> all.add("quorum lost: " + q));
    all.addAll(unmetExpectations);
    return all;
  }

  public boolean ok() {
    return problems().isEmpty();
  }

  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append("scenario %s, seed %d: stores %d -> %d, ranges %d -> %d%n".formatted(scenario,
        seed, startStores, endStores, startRanges, endRanges));
    sb.append(converged
        ? "converged after %d rounds (%d after the last event), %d simulated seconds%n"
            .formatted(rounds, roundsAfterLastEvent, rounds * Simulation.ROUND_MILLIS / 1000)
        : "NOT converged after %d rounds%n".formatted(rounds));
    if (minimumMoves > 0) {
      sb.append("replica moves: %d, lower bound %d (%.2fx)%n".formatted(replicaMoves,
          minimumMoves, movesOverMinimum()));
    } else {
      sb.append("replica moves: %d, lower bound 0%s%n".formatted(replicaMoves,
          replicaMoves == 0 ? "" : " (balance needed none; they aligned ranges to merge)"));
    }
    sb.append("leader transfers: %d, splits: %d, merges: %d%n".formatted(leaderTransfers,
        splits, merges));
    sb.append("operators: %d succeeded, %d failed, %d timed out; %d steps refused%n".formatted(
        succeeded, failed, timedOut, droppedSteps));
    sb.append("under-replicated ranges at the end: %d%n".formatted(underReplicatedAtEnd));
    sb.append(thrash.isEmpty() ? "thrash: none (no range returned to a store it left)\n"
        : "thrash: " + thrash.size() + " returns, first: " + thrash.get(0) + "\n");
    sb.append(quorumViolations.isEmpty()
        ? "quorum: every range kept a quorum of live voters in every round\n"
        : "quorum: LOST " + quorumViolations.size() + " times, first: "
            + quorumViolations.get(0) + "\n");
    List<String> problems = problems();
    sb.append(problems.isEmpty() ? "result: OK\n" : "result: FAILED\n");
    problems.stream().limit(10).forEach(p -> sb.append("  ").append(p).append('\n'));
    return sb.toString();
  }
}
