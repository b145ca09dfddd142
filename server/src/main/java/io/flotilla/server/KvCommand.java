package io.flotilla.server;

import io.flotilla.multiraft.client.AmbiguousResultException;
import io.flotilla.multiraft.client.CasResult;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.client.KvEntry;
import io.flotilla.multiraft.client.KvException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code flotilla kv put|get|del|scan|cas}: one KV operation against a running cluster through
 * {@link KvClient}. Keys and values are UTF-8 text on the command line and in the output.
 */
final class KvCommand implements Command {
  /** The nodes of {@code flotilla demo}, and a lone node's default address. */
  static final String DEFAULT_ADDRESS = StatusCommand.DEFAULT_ADDRESSES;
  /** Exit code of a write whose outcome is unknown: it may or may not have happened. */
  static final int UNKNOWN = 3;
  private static final int DEFAULT_SCAN_LIMIT = 100;

  private static final String OPTIONS = """
      options:
        --addr HOST:PORT,...   nodes to ask first; the client learns the rest
                               (default %s)
        --timeout SECONDS      give up after this long, retries included (default 10)
        -h, --help             show this help
      """.formatted(DEFAULT_ADDRESS);

  private static final String EXIT = """

      exit status: 0 done; 1 failed (not found, comparison failed, no node answered in time:
      certainly not applied); 2 bad arguments; 3 a write's outcome is unknown (it may or may
      not have been applied).
      """;

  private final PrintStream out;
  private final PrintStream err;

  KvCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public String name() {
    return "kv";
  }

  @Override
  public String summary() {
    return "Put, get, delete, scan or compare-and-set keys of a running cluster";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla kv <put|get|del|scan|cas> ARGS... [options]

        One operation on a running cluster. Keys and values are UTF-8 text.

        operations:
          put KEY VALUE              write VALUE under KEY; prints "ok"
          get KEY                    prints the value, or "(not found)" and exits 1
          del KEY                    delete KEY; prints "ok"
          scan [START [END]]         prints "KEY<TAB>VALUE" lines in key order, from START
                                     (default: the first key) to END (exclusive; default:
                                     the last key); --limit N pairs at most (default 100)
          cas KEY EXPECTED NEW       set KEY to NEW if it holds EXPECTED; prints "ok", or
                                     the value found and exits 1; --absent expects no
                                     value (drop EXPECTED), --delete deletes (drop NEW)

        Run 'flotilla kv OPERATION --help' for one operation.

        """ + OPTIONS + EXIT;
  }

  private static String usage(String op) {
    String line = switch (op) {
      case "put" -> "put KEY VALUE\n\nWrites VALUE under KEY and prints \"ok\".\n";
      case "get" -> "get KEY\n\nPrints the value of KEY, or \"(not found)\" and exits 1.\n";
      case "del" -> "del KEY\n\nDeletes KEY (whether or not it exists) and prints \"ok\".\n";
      case "scan" -> "scan [START [END]] [--limit N]\n\nPrints \"KEY<TAB>VALUE\" lines in key"
          + " order for keys from START (default: the first) to END\n(exclusive; default: the"
          + " last), at most N of them (default " + DEFAULT_SCAN_LIMIT + ").\n";
      default -> "cas KEY EXPECTED NEW | cas --absent KEY NEW | cas --delete KEY EXPECTED\n\n"
          + "Sets KEY to NEW if it holds EXPECTED (with --absent: if it has no value; with\n"
          + "--delete: deletes it instead), atomically. Prints \"ok\", or the value found (or\n"
          + "\"(not found)\") and exits 1.\n";
    };
    return "usage: flotilla kv " + line + "\n" + OPTIONS
        + (op.equals("scan") ? "  --limit N              at most N pairs (default "
            + DEFAULT_SCAN_LIMIT + ")\n" : "")
        + (op.equals("cas") ? "  --absent               expect the key to have no value\n"
            + "  --delete               delete the key instead of writing NEW\n" : "")
        + EXIT;
  }

  /** An operation as parsed: what to do, its arguments, and how to reach the cluster. */
  private record Request(String op, List<String> args, List<String> seeds, Duration timeout,
      int limit, boolean absent, boolean delete) {}

  @Override
  public int run(List<String> args) {
    String op = args.isEmpty() ? "" : args.get(0);
    boolean known = Set.of("put", "get", "del", "scan", "cas").contains(op);
    if (Command.wantsHelp(args)) {
      out.print(known ? usage(op) : usage());
      return OK;
    }
    Request req;
    try {
      req = parse(op, known, args.subList(Math.min(1, args.size()), args.size()));
    } catch (UsageException e) {
      return e.report(this, err);
    }
    KvClientOptions options = KvClientOptions.defaults().withTotalTimeout(req.timeout());
    try (KvClient client = new KvClient(req.seeds(), options)) {
      return execute(client, req);
    } catch (AmbiguousResultException e) {
      err.println("flotilla kv " + op + ": outcome unknown: " + e.getMessage());
      return UNKNOWN;
    } catch (KvException e) {
      err.println("flotilla kv " + op + ": failed: " + e.getMessage());
      return FAILED;
    }
  }

  private Request parse(String op, boolean known, List<String> rest) throws UsageException {
    if (!known) {
      throw new UsageException(op.isEmpty() ? "which operation? put, get, del, scan or cas"
          : "unknown operation '" + op + "'; expected put, get, del, scan or cas");
    }
    Set<String> withValue = Set.of("--addr", "--timeout", "--limit");
    List<String> flagArgs = new ArrayList<>();
    List<String> positional = splitPositionals(rest, withValue, flagArgs);
    List<String> seeds = List.of(DEFAULT_ADDRESS.split(","));
    Duration timeout = Duration.ofSeconds(10);
    int limit = DEFAULT_SCAN_LIMIT;
    boolean absent = false;
    boolean delete = false;
    Set<String> booleans = op.equals("cas") ? Set.of("--absent", "--delete") : Set.of();
    for (Flags.Flag f : Flags.parse(flagArgs, withValue, booleans, Set.of())) {
      switch (f.name()) {
        case "--addr" -> seeds = addresses(f);
        case "--timeout" -> timeout = Duration.ofSeconds(Flags.longValue(f, 1, 3600));
        case "--limit" -> {
          if (!op.equals("scan")) {
            throw new UsageException("option '--limit' applies to scan only");
          }
          limit = Flags.intValue(f, 1, 1_000_000);
        }
        case "--absent" -> absent = true;
        default -> delete = true;
      }
    }
    int min = switch (op) {
      case "put" -> 2;
      case "scan" -> 0;
      case "cas" -> 3 - (absent ? 1 : 0) - (delete ? 1 : 0);
      default -> 1;
    };
    int max = op.equals("scan") ? 2 : min;
    if (positional.size() < min) {
      throw new UsageException(op + " needs " + min + " argument" + (min == 1 ? "" : "s")
          + " (see 'flotilla kv " + op + " --help'), got " + positional.size());
    }
    if (positional.size() > max) {
      throw new UsageException("unexpected argument '" + positional.get(max) + "'");
    }
    return new Request(op, positional, seeds, timeout, limit, absent, delete);
  }

  static List<String> addresses(Flags.Flag f) throws UsageException {
    List<String> list = Arrays.stream(f.value().split(",")).map(String::strip)
        .filter(s -> !s.isEmpty()).toList();
    for (String a : list) {
      int colon = a.lastIndexOf(':');
      String port = colon < 0 ? "" : a.substring(colon + 1);
      if (colon <= 0 || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1
          || Integer.parseInt(port) > 65535) {
        throw new UsageException("option '--addr' expects HOST:PORT[,HOST:PORT...], got '"
            + a + "'");
      }
    }
    if (list.isEmpty()) {
      throw new UsageException("option '--addr' expects HOST:PORT[,HOST:PORT...], got '"
          + f.value() + "'");
    }
    return list;
  }

  /**
   * Separates positional arguments from options: what starts with {@code --} is an option, and
   * the word after an option in {@code withValue} (given without {@code =}) is its value.
   * Options go to {@code flagArgs} in order, for {@link Flags#parse}.
   */
  static List<String> splitPositionals(List<String> args, Set<String> withValue,
      List<String> flagArgs) {
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--") && a.length() > 2) {
        flagArgs.add(a);
        if (withValue.contains(a) && i + 1 < args.size()) {
          flagArgs.add(args.get(++i));
        }
      } else {
        positional.add(a);
      }
    }
    return positional;
  }

  private int execute(KvClient client, Request req) {
    List<String> a = req.args();
    switch (req.op()) {
      case "put" -> {
        client.put(bytes(a.get(0)), bytes(a.get(1)));
        out.println("ok");
      }
      case "del" -> {
        client.delete(bytes(a.get(0)));
        out.println("ok");
      }
      case "get" -> {
        byte[] v = client.get(bytes(a.get(0)));
        out.println(v == null ? "(not found)" : text(v));
        return v == null ? FAILED : OK;
      }
      case "scan" -> {
        byte[] start = a.isEmpty() ? new byte[0] : bytes(a.get(0));
        byte[] end = a.size() < 2 ? null : bytes(a.get(1));
        for (KvEntry e : client.scan(start, end, req.limit())) {
          out.println(text(e.key()) + "\t" + text(e.value()));
        }
      }
      default -> {
        byte[] expected = req.absent() ? null : bytes(a.get(1));
        byte[] next = req.delete() ? null : bytes(a.get(a.size() - 1));
        CasResult r = client.compareAndSet(bytes(a.get(0)), expected, next);
        out.println(r.succeeded() ? "ok" : r.current() == null ? "(not found)"
            : text(r.current()));
        return r.succeeded() ? OK : FAILED;
      }
    }
    return OK;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
