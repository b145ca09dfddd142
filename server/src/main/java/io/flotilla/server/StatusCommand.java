package io.flotilla.server;

import io.flotilla.multiraft.node.PeerClients;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** {@code flotilla status}: the nodes of a running cluster, whether they answer, and its ranges. */
final class StatusCommand implements Command {
  /** The nodes of {@code flotilla demo} (and a lone node's default address). */
  static final String DEFAULT_ADDRESSES = "127.0.0.1:7401,127.0.0.1:7402,127.0.0.1:7403";

  private final PrintStream out;
  private final PrintStream err;

  StatusCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public String name() {
    return "status";
  }

  @Override
  public String summary() {
    return "List the nodes, ranges and leaders of a running cluster";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla status [--addr HOST:PORT,...] [--timeout SECONDS]

        Asks the first node that answers for the cluster's nodes, then asks each of them for
        its replicas. Prints every node (live = it answered) and every range: its span in
        user keys, its voters and learners, its leader (as the leader itself reports it; a
        '?' marks one only a follower names) and its applied index.

        options:
          --addr HOST:PORT,...   nodes to ask, in order (default %s)
          --timeout SECONDS      how long each node may take to answer (default 2)
          -h, --help             show this help

        exit status: 0 if a node answered, 1 if none did, 2 for bad usage.
        """.formatted(DEFAULT_ADDRESSES);
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    List<String> addresses = split(DEFAULT_ADDRESSES);
    Duration timeout = Duration.ofSeconds(2);
    try {
      for (Flags.Flag f : Flags.parse(args, Set.of("--addr", "--timeout"), Set.of(),
          Set.of())) {
        switch (f.name()) {
          case "--addr" -> addresses = split(f.value());
          case "--timeout" -> timeout = Duration.ofSeconds(Flags.intValue(f, 1, 3600));
          default -> throw new AssertionError("Flags.parse let through " + f.name());
        }
      }
      if (addresses.isEmpty()) {
        throw new UsageException("option '--addr' needs at least one HOST:PORT");
      }
    } catch (UsageException e) {
      return e.report(this, err);
    }
    try (PeerClients clients = new PeerClients()) {
      out.print(ClusterStatus.gather(addresses, clients, timeout).render());
      return OK;
    } catch (IllegalStateException e) {
      err.println("flotilla status: " + e.getMessage());
      return FAILED;
    }
  }

  static List<String> split(String addresses) {
    return Arrays.stream(addresses.split(",")).map(String::strip).filter(s -> !s.isEmpty())
        .toList();
  }
}
