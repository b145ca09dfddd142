package io.flotilla.server;

import io.flotilla.config.Config;
import io.flotilla.config.ConfigException;
import io.flotilla.config.SettingsRegistry;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.multiraft.node.NodeSettings;
import io.flotilla.multiraft.node.NodeStartException;
import io.flotilla.placement.tso.TimestampOracle;
import io.flotilla.placement.driver.PlacementDriver;
import io.flotilla.placement.tso.TsoOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * {@code flotilla start}: runs one node until SIGTERM or Ctrl-C (see {@link Node} for how it
 * bootstraps, joins or restarts). Settings come from {@code --config FILE}, then
 * {@code FLOTILLA_*} variables, then {@code --set}, then this command's own flags.
 */
final class StartCommand implements Command {
  private static final Map<String, String> FLAG_SETTINGS = Map.of(
      "--store", NodeSettings.STORE.name(),
      "--listen", NodeSettings.LISTEN.name(),
      "--join", NodeSettings.JOIN.name(),
      "--http", NodeSettings.HTTP.name(),
      "--advertise", NodeSettings.ADVERTISE.name());

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> environment;

  StartCommand(PrintStream out, PrintStream err, Map<String, String> environment) {
    this.out = out;
    this.err = err;
    this.environment = environment;
  }

  @Override
  public String name() {
    return "start";
  }

  @Override
  public String summary() {
    return "Start a node: bootstrap a cluster, join one, or restart with its data";
  }

  @Override
  public String usage() {
    StringBuilder settings = new StringBuilder();
    for (var s : registry().settings()) {
      settings.append("  %s (default %s)\n      %s\n".formatted(s.name(),
          s.defaultText().isEmpty() ? "none" : s.defaultText(), s.doc()));
    }
    return """
        usage: flotilla start --store DIR [--listen HOST:PORT] [--join HOST:PORT,...]
                              [--http HOST:PORT|off] [--advertise HOST:PORT]
                              [--config FILE] [--set KEY=VALUE]...

        Runs one node until SIGTERM or Ctrl-C, which stop it cleanly.
          - an empty --store and no --join: bootstraps a new cluster (this is node 1);
          - an empty --store and --join: joins the cluster of those nodes, which gives this
            node an id; the ranges' leaders then add it to their ranges;
          - a --store that holds data: restarts that node with its data and identity (a
            --join to another cluster is refused).
        One port (--listen) serves Raft traffic, the KV API and the admin API; --http serves
        Prometheus metrics at /metrics (default: the listen port + 1000; 'off' for none).

        options:
          --store DIR            the node's data directory (node.store)
          --listen HOST:PORT     where to serve (node.listen, default 127.0.0.1:7401)
          --join HOST:PORT,...   nodes of the cluster to join (node.join)
          --http HOST:PORT|off   the metrics endpoint (node.http, default auto)
          --advertise HOST:PORT  the address others reach this node at (node.advertise)
          --config FILE          a file of 'key = value' lines (settings below)
          --set KEY=VALUE        one setting; repeatable; FLOTILLA_KEY variables work too
          -h, --help             show this help

        settings:
        """ + settings;
  }

  static SettingsRegistry registry() {
    return SettingsRegistry.of(NodeSettings.all());
  }

  @Override
  public int run(List<String> args) {
    if (Command.wantsHelp(args)) {
      out.print(usage());
      return OK;
    }
    NodeConfig config;
    try {
      config = parse(args);
    } catch (UsageException e) {
      return e.report(this, err);
    }
    // One line per log record from the libraries (gRPC, transport) too.
    System.setProperty("java.util.logging.SimpleFormatter.format",
        "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    Consumer<String> log = line -> out.println(TIME.format(Instant.now()) + " " + line);
    Node node;
    try {
      // The placement driver's timestamp oracle serves on the node that leads the system range.
      node = Node.start(config, log, List.of(TimestampOracle.extension(TsoOptions.DEFAULTS),
          new PlacementDriver(PlacementDriver.Options.DEFAULTS)));
    } catch (NodeStartException e) {
      err.println("flotilla start: " + e.getMessage());
      return FAILED;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.accept("stopping " + node);
      node.close();
      log.accept("stopped");
      stopped.countDown();
    }, "flotilla-shutdown"));
    log.accept("serving: " + node + " (Raft, KV, admin and TSO on one port)"
        + node.httpPort().map(p -> "; metrics at http://" + config.http().get().host() + ":"
            + p + "/metrics").orElse("") + "; store " + config.store().toAbsolutePath()
        + ". Stop with Ctrl-C or SIGTERM.");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return OK;
  }

  /** The node's configuration from the command line, the file and the environment. */
  NodeConfig parse(List<String> args) throws UsageException {
    Set<String> withValue = new java.util.HashSet<>(FLAG_SETTINGS.keySet());
    withValue.add("--config");
    withValue.add("--set");
    List<String> sets = new ArrayList<>();
    List<String> fromFlags = new ArrayList<>();
    Path file = null;
    for (Flags.Flag f : Flags.parse(args, withValue, Set.of(), Set.of("--set"))) {
      switch (f.name()) {
        case "--config" -> file = Path.of(f.value());
        case "--set" -> sets.add(f.value());
        default -> fromFlags.add(FLAG_SETTINGS.get(f.name()) + "=" + f.value());
      }
    }
    sets.addAll(fromFlags); // the flags win: they are the most specific
    try {
      var loader = Config.loader(registry()).environment(environment).overrides(sets);
      if (file != null) {
        loader.file(file);
      }
      return NodeConfig.from(loader.load());
    } catch (ConfigException | IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
