package io.flotilla.server;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** {@code flotilla start}: for now a demo of a simulated Raft cluster; later a real node. */
final class StartCommand implements Command {
  private final PrintStream out;
  private final PrintStream err;

  StartCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public String name() {
    return "start";
  }

  @Override
  public String summary() {
    return "Start a demo of a simulated Raft cluster (later: a local cluster)";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla start

        Starts a demo of a Raft cluster running in the deterministic simulator. It takes no
        options yet.

        options:
          -h, --help   show this help
        """;
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    try {
      Flags.parse(args, Set.of(), Set.of(), Set.of());
    } catch (UsageException e) {
      return e.report(this, err);
    }
    return runDemo();
  }

  /** Runs the demo; returns the exit code. */
  int runDemo() {
    out.println("flotilla start: the Raft cluster demo is not part of this build yet;"
        + " 'flotilla sim' runs the simulator.");
    return OK;
  }
}
