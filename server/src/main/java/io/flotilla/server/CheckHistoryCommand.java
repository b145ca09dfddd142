package io.flotilla.server;

import io.flotilla.check.CheckResult;
import io.flotilla.check.JepsenLogParser;
import io.flotilla.check.LinearizabilityChecker;
import io.flotilla.check.Operation;
import io.flotilla.check.RegisterModel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code flotilla check-history FILE}: is a Jepsen-format history of one compare-and-set
 * register linearizable? The same checker and parser the tests hold to every verdict of the
 * etcd Jepsen histories.
 */
final class CheckHistoryCommand implements Command {
  /** About seven times what the hardest etcd Jepsen history needs: seconds at most. */
  static final long DEFAULT_BUDGET = 10_000_000;
  /** Exit code when the search budget ran out before a verdict. */
  static final int UNDECIDED = 3;

  private final PrintStream out;
  private final PrintStream err;

  CheckHistoryCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public String name() {
    return "check-history";
  }

  @Override
  public String summary() {
    return "Check a Jepsen-format register history for linearizability";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla check-history FILE [--budget STEPS]

        Reads FILE, a Jepsen log of one compare-and-set register (lines such as
        "INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]"; see shared/histories/README.md), and
        checks whether the history is linearizable. Operations that completed with :info, or
        never completed, have unknown outcomes: they may have taken effect at any time after
        their invocation. Prints "linearizable" or "not linearizable" on the first line; for
        the latter, the checker's explanation follows.

        options:
          --budget STEPS   search steps before giving up undecided (default 10000000)
          -h, --help       show this help

        exit status: 0 linearizable; 1 not linearizable; 2 bad arguments, or FILE missing,
        unreadable or not such a history; 3 undecided (the budget ran out).
        """;
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    Path file;
    long budget = DEFAULT_BUDGET;
    try {
      List<String> flagArgs = new ArrayList<>();
      List<String> positional = KvCommand.splitPositionals(args, Set.of("--budget"), flagArgs);
      for (Flags.Flag f : Flags.parse(flagArgs, Set.of("--budget"), Set.of(), Set.of())) {
        budget = Flags.longValue(f, 1, Long.MAX_VALUE);
      }
      if (positional.isEmpty()) {
        throw new UsageException("which file? give the path of a Jepsen history");
      }
      if (positional.size() > 1) {
        throw new UsageException("unexpected argument '" + positional.get(1) + "'");
      }
      file = Path.of(positional.get(0));
    } catch (UsageException e) {
      return e.report(this, err);
    }
    List<Operation<RegisterModel.Input, RegisterModel.Output>> history;
    try {
      history = read(file);
    } catch (BadHistory e) {
      err.println("flotilla check-history: " + e.getMessage());
      return USAGE;
    }
    CheckResult result = LinearizabilityChecker.check(new RegisterModel(), history, budget);
    long unknown = history.stream().filter(Operation::outcomeUnknown).count();
    String stats = history.size() + " operations (" + unknown + " with unknown outcome), "
        + result.steps() + " search steps";
    switch (result.verdict()) {
      case LINEARIZABLE -> {
        out.println("linearizable");
        out.println(stats);
        return OK;
      }
      case NOT_LINEARIZABLE -> {
        out.println("not linearizable");
        out.println(result.explanation());
        out.println(stats);
        return FAILED;
      }
      default -> {
        out.println("undecided");
        out.println(result.explanation());
        out.println(stats + "; try a larger --budget");
        return UNDECIDED;
      }
    }
  }

  /** Why a file is not a history we can check; the message names the file. */
  private static final class BadHistory extends Exception {
    private static final long serialVersionUID = 1L;

    BadHistory(String message) {
      super(message);
    }
  }

  private static List<Operation<RegisterModel.Input, RegisterModel.Output>> read(Path file)
      throws BadHistory {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new BadHistory("cannot read " + file + ": no such file");
    } catch (MalformedInputException e) {
      throw new BadHistory(file + " is not a Jepsen history: it is not UTF-8 text");
    } catch (IOException | UncheckedIOException e) {
      throw new BadHistory("cannot read " + file + ": " + e.getMessage());
    }
    if (lines.stream().allMatch(String::isBlank)) {
      throw new BadHistory(file + " is not a Jepsen history: it holds no events");
    }
    try {
      return JepsenLogParser.parse(lines);
    } catch (IllegalArgumentException e) {
      throw new BadHistory(file + " is not a Jepsen register history: " + e.getMessage());
    }
  }
}
