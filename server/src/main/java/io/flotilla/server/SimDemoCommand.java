package io.flotilla.server;

import java.io.PrintStream;
import java.util.List;
import io.flotilla.sim.SimOptions;
import io.flotilla.sim.SimResult;
import io.flotilla.sim.Simulation;
import java.util.Set;

/** {@code flotilla simdemo}: a narrated run of a simulated Raft cluster through faults. */
final class SimDemoCommand implements Command {
  private final PrintStream out;
  private final PrintStream err;

  SimDemoCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public String name() {
    return "simdemo";
  }

  @Override
  public String summary() {
    return "Narrate one simulated Raft cluster run through faults";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla simdemo [--seed S] [--ticks T] [--nodes 3|5]

        Runs one Raft group in the deterministic simulator (for a real cluster on this
        machine, see 'flotilla demo'). Three members elect a
        leader and serve clients while the simulator drops, delays, duplicates and reorders
        messages, partitions the network, crashes and restarts members, changes the
        membership and transfers leadership; every safety invariant is checked after every
        event. The run prints each leader change, fault and recovery, then a summary.

        options:
          --seed S      the seed of the run; the same seed replays the same run (default 1)
          --ticks T     how long the run lasts, in logical ticks (default 3000)
          --nodes 3|5   cluster size (default 3)
          -h, --help    show this help
        """;
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    long seed = 1;
    int ticks = 3000;
    int nodes = 3;
    try {
      for (Flags.Flag f : Flags.parse(args, Set.of("--seed", "--ticks", "--nodes"), Set.of(),
          Set.of())) {
        switch (f.name()) {
          case "--seed" -> seed = Flags.longValue(f, Long.MIN_VALUE, Long.MAX_VALUE);
          case "--ticks" -> ticks = Flags.intValue(f, 500, 1_000_000);
          case "--nodes" -> nodes = Flags.intValue(f, 3, 5);
          default -> throw new AssertionError("Flags.parse let through " + f.name());
        }
      }
      if (nodes != 3 && nodes != 5) {
        throw new UsageException("option '--nodes' expects 3 or 5, got '" + nodes + "'");
      }
    } catch (UsageException e) {
      return e.report(this, err);
    }
    return runDemo(new SimOptions(seed, ticks, nodes, Set.of(), false));
  }

  /** Runs the narrated simulation; returns the exit code. */
  int runDemo(SimOptions options) {
    out.printf("flotilla: a %d-member Raft group in the deterministic simulator, seed %d, %d"
        + " ticks%n", options.members(), options.seed(), options.ticks());
    out.println("  (time is tick.hundredths; nN is member N)");
    SimResult r = Simulation.narrated(options, out).run();
    out.println();
    out.print(r.report());
    out.println("  " + r.stats());
    if (r.ok()) {
      out.println("every invariant held after every event. Replay this run: "
          + options.replayCommand().replace("flotilla sim", "flotilla simdemo"));
      out.println("Run many seeds with: ./flotilla sim --seeds 2000");
      return OK;
    }
    out.println("replay: " + r.replayCommand());
    return FAILED;
  }
}
