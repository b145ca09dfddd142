package io.flotilla.server;

import io.flotilla.placement.tso.Timestamps;
import io.flotilla.placement.tso.TsoClient;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * {@code flotilla tso}: asks a running cluster's timestamp oracle for timestamps (through
 * {@link TsoClient}) and prints them with the wall-clock time their physical part stands for.
 */
final class TsoCommand implements Command {
  private final PrintStream out;
  private final PrintStream err;

  TsoCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public String name() {
    return "tso";
  }

  @Override
  public String summary() {
    return "Get timestamps from a running cluster's timestamp oracle";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla tso [options]

        Asks the timestamp oracle (served by the node that leads the system range) for
        COUNT contiguous timestamps and prints the first and the last, each as
        "<timestamp> (<physical time, UTC> +<logical>)". A timestamp is physical
        milliseconds << 18 | a logical counter, larger than every timestamp handed out
        before the request.

        options:
          --count N              how many timestamps, 1 to 10000 (default 1)
          --addr HOST:PORT,...   nodes to ask first; the client learns the rest
                                 (default %s)
          --timeout SECONDS      give up after this long, retries included (default 10)
          -h, --help             show this help

        exit status: 0 done; 1 no timestamps in time; 2 bad arguments.
        """.formatted(KvCommand.DEFAULT_ADDRESS);
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    int count = 1;
    List<String> seeds = List.of(KvCommand.DEFAULT_ADDRESS.split(","));
    Duration timeout = Duration.ofSeconds(10);
    try {
      for (Flags.Flag f : Flags.parse(args, Set.of("--count", "--addr", "--timeout"), Set.of(),
          Set.of())) {
        switch (f.name()) {
          case "--count" -> count = Flags.intValue(f, 1, 10_000);
          case "--addr" -> seeds = KvCommand.addresses(f);
          default -> timeout = Duration.ofSeconds(Flags.longValue(f, 1, 3600));
        }
      }
    } catch (UsageException e) {
      return e.report(this, err);
    }
    try (TsoClient client = new TsoClient(seeds,
        TsoClient.Options.DEFAULTS.withTotalTimeout(timeout))) {
      long first = client.getTimestamps(count).get();
      out.println("first " + show(first));
      if (count > 1) {
        out.println("last  " + show(first + count - 1));
      }
      return OK;
    } catch (java.util.concurrent.ExecutionException e) {
      err.println("flotilla tso: failed: " + e.getCause().getMessage());
      return FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return FAILED;
    }
  }

  static String show(long ts) {
    return ts + " (" + Instant.ofEpochMilli(Timestamps.physicalMillis(ts)) + " +"
        + Timestamps.logical(ts) + ")";
  }
}
