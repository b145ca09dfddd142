package io.flotilla.sim;

import java.util.List;

/**
 * The outcome of one run.
 *
 * @param options what ran; {@link SimOptions#replayCommand()} replays it
 * @param plan the fault rates and Raft settings the seed drew, for reading a failure
 * @param invariant the invariant that failed ("liveness" for a liveness failure), or null
 * @param description what exactly failed, or null
 * @param trace the last events before the failure (empty when the run passed)
 * @param stats what happened
 * @param traceHash a hash of every event and of the final state: equal hashes, equal runs
 * @param events events executed
 */
public record SimResult(SimOptions options, String plan, String invariant, String description,
    List<String> trace, SimStats stats, long traceHash, long events) {

  public SimResult {
    trace = List.copyOf(trace);
  }

  public long seed() {
    return options.seed();
  }

  public boolean ok() {
    return invariant == null;
  }

  public boolean livenessFailure() {
    return "liveness".equals(invariant);
  }

  /** A safety violation, as opposed to a liveness failure. */
  public boolean violation() {
    return invariant != null && !livenessFailure();
  }

  public String replayCommand() {
    return options.replayCommand();
  }

  /** A multi-line report: seed, invariant, description, replay command and the trace tail. */
  public String report() {
    if (ok()) {
      return "seed " + seed() + ": ok\n";
    }
    StringBuilder sb = new StringBuilder();
    sb.append("seed ").append(seed()).append(": ")
        .append(livenessFailure() ? "LIVENESS FAILURE" : "VIOLATION of " + invariant)
        .append('\n').append("  ").append(description).append('\n')
        .append("  replay: ").append(replayCommand()).append('\n')
        .append("  plan: ").append(plan).append('\n')
        .append("  last ").append(trace.size()).append(" events:\n");
    for (String line : trace) {
      sb.append("    ").append(line).append('\n');
    }
    return sb.toString();
  }
}
