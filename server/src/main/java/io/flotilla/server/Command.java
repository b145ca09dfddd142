package io.flotilla.server;

import java.util.List;

/**
 * One subcommand of the {@code flotilla} tool. Every command answers {@code --help} (and
 * {@code -h}) with its {@link #usage()} on standard output and exit code 0, and refuses bad
 * arguments with a message naming the argument and exit code {@link #USAGE}.
 */
public interface Command {
  /** Success. */
  int OK = 0;
  /** The command ran and failed (a simulation found a bug, a node could not start). */
  int FAILED = 1;
  /** The command line was wrong; nothing was run. */
  int USAGE = 2;

  /** The word after {@code flotilla}. */
  String name();

  /** One line for the list of commands. */
  String summary();

  /** The full help text, starting with a {@code usage:} line and ending with a newline. */
  String usage();

  /** Runs with the arguments after the command's name; returns the exit code. */
  int run(List<String> args);

  /** Whether the user asked for help anywhere on the line; help wins over anything else. */
  static boolean wantsHelp(List<String> args) {
    return args.contains("--help") || args.contains("-h");
  }
}
