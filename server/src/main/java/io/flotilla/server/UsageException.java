package io.flotilla.server;

import java.io.PrintStream;

/** A command line that cannot be run; the message names the offending argument. */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }

  /** Tells the user what was wrong and where help is; returns {@link Command#USAGE}. */
  int report(Command command, PrintStream err) {
    err.println("flotilla " + command.name() + ": " + getMessage());
    err.println("Run 'flotilla " + command.name() + " --help' for usage.");
    return Command.USAGE;
  }
}
