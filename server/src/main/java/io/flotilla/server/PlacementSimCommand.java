package io.flotilla.server;

import io.flotilla.placement.sim.Scenario;
import io.flotilla.placement.sim.ScenarioParser;
import io.flotilla.placement.sim.SimReport;
import io.flotilla.placement.sim.Simulation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code flotilla placement-sim}: the placement driver's scheduler against a simulated cluster. */
final class PlacementSimCommand implements Command {
  static final long DEFAULT_SEED = 1;

  private final PrintStream out;
  private final PrintStream err;

  PlacementSimCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public String name() {
    return "placement-sim";
  }

  @Override
  public String summary() {
    return "Run the placement scheduler on a simulated cluster from a scenario file";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla placement-sim FILE [--seed N]

        Runs the placement driver's schedulers and operators against a simulated cluster (no
        Raft, no disks) through the events of a scenario file, and reports rounds to converge,
        replica moves against a lower bound, leader transfers, splits and merges. Every round it
        checks that each range keeps a quorum of live voters; it records any range that returns
        to a store it left. A seed replays a run exactly.

        Scenario files (examples: placement/src/test/resources/scenarios/) hold one directive
        per line, # starts a comment:
          stores 5                            ranges 1000 size 32MiB
          load writes 20000 skew 1.0          rounds 1000
          set max-snapshots-per-store 4       (any placement setting; 60s, 64MiB, 0.05)
          add-stores 2 | kill-store 3 | decommission 3 | drain 3 | hot-range 17 writes 5000
          | drop-data 40%%                    each optionally followed by: at round N
          expect converged within 200 rounds  expect moves at most 1.5x minimum

        options:
          --seed N     the seed (default %d)
          -h, --help   show this help

        exit status: 0 if the run converged and kept every invariant and expectation, 1 if
        not, 2 for bad usage or a bad scenario file.
        """.formatted(DEFAULT_SEED);
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    Path file = null;
    long seed = DEFAULT_SEED;
    try {
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.equals("--seed")) {
          if (i + 1 == args.size()) {
            throw new UsageException("option '--seed' needs a number");
          }
          seed = parseSeed(args.get(++i));
        } else if (a.startsWith("-")) {
          throw new UsageException("unknown option '" + a + "'");
        } else if (file != null) {
          throw new UsageException("one scenario file only, got '" + file + "' and '" + a + "'");
        } else {
          file = Path.of(a);
        }
      }
      if (file == null) {
        throw new UsageException("missing the scenario FILE");
      }
      if (!Files.isRegularFile(file)) {
        throw new UsageException("no scenario file '" + file + "'");
      }
    } catch (UsageException e) {
      return e.report(this, err);
    }
    return simulate(file, seed);
  }

  private static long parseSeed(String text) throws UsageException {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new UsageException("option '--seed' expects a number, got '" + text + "'");
    }
  }

  private int simulate(Path file, long seed) {
    Scenario scenario;
    try {
      scenario = ScenarioParser.parse(file);
    } catch (IOException e) {
      err.println("flotilla placement-sim: cannot read " + file + ": " + e.getMessage());
      return USAGE;
    } catch (IllegalArgumentException e) {
      err.println("flotilla placement-sim: " + e.getMessage());
      return USAGE;
    }
    long started = System.nanoTime();
    SimReport report;
    try {
      report = new Simulation(scenario, seed).run();
    } catch (IllegalArgumentException e) {
      err.println("flotilla placement-sim: " + file + ": " + e.getMessage());
      return USAGE;
    }
    out.print(report.format());
    out.printf("wall time: %.1f s%n", (System.nanoTime() - started) / 1e9);
    return report.ok() ? OK : FAILED;
  }
}
