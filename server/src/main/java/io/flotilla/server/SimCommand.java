package io.flotilla.server;

import io.flotilla.raft.PlantedBug;
import java.io.PrintStream;
import io.flotilla.sim.RunSummary;
import io.flotilla.sim.SimulationRunner;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** {@code flotilla sim}: the deterministic simulation of a Raft cluster over many seeds. */
final class SimCommand implements Command {
  private final PrintStream out;
  private final PrintStream err;
  private final int defaultThreads;

  /** {@code defaultThreads} is a parameter so that tests do not depend on the machine. */
  SimCommand(PrintStream out, PrintStream err, int defaultThreads) {
    this.out = out;
    this.err = err;
    this.defaultThreads = defaultThreads;
  }

  @Override
  public String name() {
    return "sim";
  }

  @Override
  public String summary() {
    return "Run the deterministic Raft simulation over many seeds";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla sim [options]

        Runs a simulated Raft cluster in one process over a seeded network that drops, delays,
        duplicates, reorders and partitions messages, with crashes that lose unsynced state,
        and checks the safety invariants after every event. A seed replays a run exactly.

        options:
          --seeds N        how many consecutive seeds to run (default %d)
          --first-seed S   the first seed of the range (default %d)
          --seed S         replay this one seed only; not with --seeds or --first-seed
          --ticks T        logical ticks per run (default %d)
          --nodes 3|5      cluster size (default %d)
          --bug NAME       plant a classic Raft bug, to see the simulation catch it;
                           repeatable; NAME is one of:
        %s
          --threads N      runs in parallel (default: available processors, here %d)
          --verbose        print every event of every run
          -h, --help       show this help

        exit status: 0 if every run held every invariant, 1 if one failed, 2 for bad usage.
        """.formatted(SimOptions.DEFAULT_SEEDS, SimOptions.DEFAULT_FIRST_SEED,
        SimOptions.DEFAULT_TICKS, SimOptions.DEFAULT_NODES, bugNames(), defaultThreads);
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    SimOptions options;
    try {
      options = SimOptions.parse(args, defaultThreads);
    } catch (UsageException e) {
      return e.report(this, err);
    }
    return runSimulation(options);
  }

  /** Runs the simulation described by {@code options}; returns the exit code. */
  int runSimulation(SimOptions options) {
    out.println("flotilla sim: " + options.describe());
    io.flotilla.sim.SimOptions base = new io.flotilla.sim.SimOptions(options.firstSeed(),
        options.ticks(), options.nodes(), options.bugs(), options.verbose());
    if (options.replaySeed().isPresent()) {
      return SimulationRunner.replay(base, out).ok() ? OK : FAILED;
    }
    RunSummary summary = SimulationRunner.run(base, options.firstSeed(), options.seeds(),
        options.threads(), false, out);
    return summary.ok() ? OK : FAILED;
  }

  private static String bugNames() {
    return Arrays.stream(PlantedBug.values())
        .map(bug -> " ".repeat(21) + SimOptions.cliName(bug))
        .collect(Collectors.joining("\n"));
  }
}
