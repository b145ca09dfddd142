package io.flotilla.server;

import io.flotilla.config.Suggestions;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * Entry point of the {@code flotilla} tool: picks the {@link Command} named by the first
 * argument and hands it the rest. The {@code flotilla} launcher script at the repository root
 * builds the jar and calls this; {@code test} and {@code bench} live in the launcher only,
 * because they run Maven and JMH rather than this program.
 */
public final class Main {
  private final PrintStream out;
  private final PrintStream err;
  private final List<Command> commands;

  /** With nothing on standard input and no environment, as tests run it. */
  Main(PrintStream out, PrintStream err, int availableProcessors) {
    this(InputStream.nullInputStream(), out, err, availableProcessors, Map.of());
  }

  /**
   * @param in standard input, for commands that read a script from it
   * @param environment the process environment, for {@code FLOTILLA_*} settings
   */
  Main(InputStream in, PrintStream out, PrintStream err, int availableProcessors,
      Map<String, String> environment) {
    this.out = out;
    this.err = err;
    List<Command> all = new java.util.ArrayList<>(List.of(
        new DemoCommand(out, err, DemoCommand.currentJava()),
        new StartCommand(out, err, environment),
        new StatusCommand(out, err),
        new SimCommand(out, err, availableProcessors),
        new SimDemoCommand(out, err),
        new PlacementSimCommand(out, err),
        new KvCommand(out, err),
        new TxnCommand(in, out, err),
        new TsoCommand(out, err)));
    all.addAll(PlacementCommand.all(out, err));
    all.addAll(List.of(new CheckHistoryCommand(out, err), new VersionCommand(out, err),
        new HelpCommand(out, err, this::overview, this::commands)));
    this.commands = List.copyOf(all);
  }

  public static void main(String[] args) {
    int code = new Main(System.in, System.out, System.err,
        Runtime.getRuntime().availableProcessors(),
        System.getenv()).run(List.of(args));
    // Exit only on failure: a successful command that leaves a server running on non-daemon
    // threads must keep the process alive.
    if (code != Command.OK) {
      System.exit(code);
    }
  }

  int run(List<String> args) {
    if (args.isEmpty()) {
      err.print(overview());
      return Command.USAGE;
    }
    String name = args.get(0);
    List<String> rest = args.subList(1, args.size());
    switch (name) {
      case "--help", "-h" -> {
        out.print(overview());
        return Command.OK;
      }
      case "--version" -> {
        return find("version").run(rest);
      }
      default -> {
        Command command = find(name);
        if (command != null) {
          return command.run(rest);
        }
      }
    }
    String hint = Suggestions.closest(name, commands.stream().map(Command::name).toList())
        .map(s -> "; did you mean '" + s + "'?").orElse("");
    err.println("flotilla: unknown command '" + name + "'" + hint);
    err.print(overview());
    return Command.USAGE;
  }

  /** For {@link HelpCommand}, which is itself one of the commands. */
  private List<Command> commands() {
    return commands;
  }

  private Command find(String name) {
    return commands.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
  }

  String overview() {
    StringBuilder sb = new StringBuilder("usage: flotilla <command> [options]\n\ncommands:\n");
    for (Command c : commands) {
      sb.append("  %-14s %s\n".formatted(c.name(), c.summary()));
    }
    return sb.append("\nRun 'flotilla <command> --help' for the options of a command.\n")
        .toString();
  }
}
