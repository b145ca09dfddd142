package io.flotilla.server;

import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.client.KvEntry;
import io.flotilla.multiraft.client.Transaction;
import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.multiraft.client.TxnException;
import io.flotilla.placement.tso.TsoClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code flotilla txn}: runs a script of puts, gets, deletes and scans as one transaction
 * ({@link TxnClient}) against a running cluster, and commits it. What the reads saw is printed
 * only once the transaction committed: the reads of a transaction that did not commit show a
 * state that it cannot have acted on.
 */
final class TxnCommand implements Command {
  private static final int DEFAULT_SCAN_LIMIT = 100;

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;

  TxnCommand(InputStream in, PrintStream out, PrintStream err) {
    this.in = in;
    this.out = out;
    this.err = err;
  }

  @Override
  public String name() {
    return "txn";
  }

  @Override
  public String summary() {
    return "Run a script of puts, gets, deletes and scans as one transaction";
  }

  @Override
  public String usage() {
    return """
        usage: flotilla txn ['SCRIPT' | -] [options]

        Runs the statements of SCRIPT in one transaction on a running cluster and commits
        it. The transaction reads the data as of its start (snapshot isolation) plus its own
        writes; its writes become visible together, or not at all. Without SCRIPT, or with
        -, the statements are read from standard input.

        statements (separated by ';' or line breaks; keys and values are UTF-8 text):
          put KEY VALUE          write VALUE under KEY
          get KEY                prints "KEY<TAB>VALUE", or "KEY<TAB>(not found)"
          del KEY                delete KEY
          scan START [END]       prints "KEY<TAB>VALUE" lines in key order, from START to
                                 END (exclusive; default: the last key); --limit N pairs
                                 at most (default %d); scan '' starts at the first key
        Quote a word with blanks or ';' in it ('hello world'); a line starting with # is
        a comment.

        After the reads' output it prints "committed at <timestamp>" (a script that only
        reads prints "read at <timestamp>" instead: it has nothing to commit).

        options:
          --addr HOST:PORT,...   nodes to ask first; the client learns the rest
                                 (default %s)
          --timeout SECONDS      give up on one request after this long, retries included
                                 (default 10)
          --limit N              at most N pairs per scan (default %d)
          -h, --help             show this help

        exit status: 0 committed; 1 not committed (nothing was written; the message says
        whether running it again may succeed); 2 bad arguments or a malformed script; 3
        the commit's outcome is unknown (it may or may not have been applied).
        """.formatted(DEFAULT_SCAN_LIMIT, KvCommand.DEFAULT_ADDRESS, DEFAULT_SCAN_LIMIT);
  }

  private record Request(List<TxnScript.Statement> statements, List<String> seeds,
      Duration timeout, int limit) {}

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    Request req;
    try {
      req = parse(args);
    } catch (UsageException e) {
      return e.report(this, err);
    }
    try (KvClient kv = new KvClient(req.seeds(),
            KvClientOptions.defaults().withTotalTimeout(req.timeout()));
        TsoClient tso = new TsoClient(req.seeds(),
            TsoClient.Options.DEFAULTS.withTotalTimeout(req.timeout()));
        TxnClient txns = new TxnClient(kv, tso::getTimestamp)) {
      return execute(txns, req);
    }
  }

  private Request parse(List<String> args) throws UsageException {
    Set<String> withValue = Set.of("--addr", "--timeout", "--limit");
    List<String> flagArgs = new ArrayList<>();
    List<String> positional = KvCommand.splitPositionals(args, withValue, flagArgs);
    List<String> seeds = List.of(KvCommand.DEFAULT_ADDRESS.split(","));
    Duration timeout = Duration.ofSeconds(10);
    int limit = DEFAULT_SCAN_LIMIT;
    for (Flags.Flag f : Flags.parse(flagArgs, withValue, Set.of(), Set.of())) {
      switch (f.name()) {
        case "--addr" -> seeds = KvCommand.addresses(f);
        case "--timeout" -> timeout = Duration.ofSeconds(Flags.longValue(f, 1, 3600));
        default -> limit = Flags.intValue(f, 1, 1_000_000);
      }
    }
    if (positional.size() > 1) {
      throw new UsageException("unexpected argument '" + positional.get(1) + "': the script"
          + " is one argument (quote it: 'put a 1; get b')");
    }
    String script = positional.isEmpty() || positional.get(0).equals("-") ? stdin()
        : positional.get(0);
    try {
      return new Request(TxnScript.parse(script), seeds, timeout, limit);
    } catch (TxnScript.BadScript e) {
      throw new UsageException(e.getMessage());
    }
  }

  private String stdin() {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the script from standard input", e);
    }
  }

  private int execute(TxnClient txns, Request req) {
    StringBuilder shown = new StringBuilder();
    Transaction txn = null;
    try {
      txn = txns.begin();
      for (TxnScript.Statement s : req.statements()) {
        apply(txn, s, req.limit(), shown);
      }
      txn.commit();
    } catch (TxnException e) {
      if (txn != null) {
        txn.rollback();
      }
      if (e.kind() == TxnException.Kind.AMBIGUOUS) {
        err.println("flotilla txn: outcome unknown: " + e.getMessage() + "; the transaction"
            + " may or may not have committed: read its keys to find out");
        return KvCommand.UNKNOWN;
      }
      err.println("flotilla txn: not committed: " + e.getMessage() + "; nothing was written"
          + (e.retryable() ? ", and running it again may succeed" : ""));
      return FAILED;
    }
    out.print(shown);
    out.println(txn.commitTs() == 0 ? "read at " + TsoCommand.show(txn.startTs())
        : "committed at " + TsoCommand.show(txn.commitTs()));
    return OK;
  }

  private static void apply(Transaction txn, TxnScript.Statement s, int limit,
      StringBuilder shown) {
    switch (s) {
      case TxnScript.Put p -> txn.put(bytes(p.key()), bytes(p.value()));
      case TxnScript.Del d -> txn.delete(bytes(d.key()));
      case TxnScript.Get g -> {
        byte[] v = txn.get(bytes(g.key()));
        shown.append(g.key()).append('\t').append(v == null ? "(not found)" : text(v))
            .append('\n');
      }
      case TxnScript.Scan sc -> {
        for (KvEntry e : txn.scan(bytes(sc.start()), sc.end() == null ? null
            : bytes(sc.end()), limit)) {
          shown.append(text(e.key())).append('\t').append(text(e.value())).append('\n');
        }
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
