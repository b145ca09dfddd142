package io.flotilla.server;

import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;

/** {@code flotilla help [command]}: the list of commands, or one command's usage. */
final class HelpCommand implements Command {
  private final PrintStream out;
  private final PrintStream err;
  private final Supplier<String> overview;
  private final Supplier<List<Command>> commands;

  HelpCommand(PrintStream out, PrintStream err, Supplier<String> overview,
      Supplier<List<Command>> commands) {
    this.out = out;
    this.err = err;
    this.overview = overview;
    this.commands = commands;
  }

  @Override
  public String name() {
    return "help";
  }

  @Override
  public String summary() {
    return "Show the commands, or the options of one command";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla help [command]

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
    if (args.isEmpty()) {
      out.print(overview.get());
      return OK;
    }
    if (args.size() > 1) {
      return new UsageException("unexpected argument '" + args.get(1) + "'").report(this, err);
    }
    for (Command c : commands.get()) {
      if (c.name().equals(args.get(0))) {
        out.print(c.usage());
        return OK;
      }
    }
    return new UsageException("unknown command '" + args.get(0) + "'").report(this, err);
  }
}
