package io.flotilla.multiraft.node;

import io.flotilla.config.Config;
import io.flotilla.config.HostPort;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.transport.TransportOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything a {@link Node} is started with, validated once.
 *
 * @param store the store's directory
 * @param listen where the gRPC server binds; port 0 is replaced by a free port at start
 * @param advertise where other nodes reach this one; empty means {@code listen}
 * @param join seeds to join through (empty: bootstrap, or restart alone)
 * @param http where /metrics is served, if anywhere; port 0 picks a free one
 * @param runtime the store runtime's settings
 * @param transport the transport's limits
 * @param replicationFactor the voters each range is brought up to
 * @param maintenanceInterval how often pings, address refreshes and up-replication run
 * @param nodeDeadAfter silence after which a node no longer counts as live
 * @param joinTimeout how long joining keeps trying the seeds
 * @param mergeThawAfter how long a range may stay frozen for a merge that is not running on its
 *     leader's node before that node abandons the merge and thaws it ({@link MergeWatchdog})
 */
public record NodeConfig(Path store, HostPort listen, Optional<HostPort> advertise,
    List<HostPort> join, Optional<HostPort> http, RuntimeOptions runtime,
    TransportOptions transport, int replicationFactor, Duration maintenanceInterval,
    Duration nodeDeadAfter, Duration joinTimeout, Duration mergeThawAfter) {

  /** What {@code node.http = auto} adds to the listen port. */
  public static final int HTTP_PORT_OFFSET = 1000;

  public NodeConfig {
    if (store == null || store.toString().isEmpty()) {
      throw new IllegalArgumentException("setting 'node.store' (--store DIR) is required: the"
          + " directory of this node's store");
    }
    join = List.copyOf(join);
    if (advertise.isEmpty() && isWildcard(listen.host())) {
      throw new IllegalArgumentException("setting 'node.listen' is the wildcard address "
          + listen + "; set 'node.advertise' (--advertise HOST:PORT) to the address other"
          + " nodes reach this one at");
    }
  }

  /** The node's settings from a loaded configuration. */
  public static NodeConfig from(Config c) {
    HostPort listen = c.get(NodeSettings.LISTEN);
    String adv = c.get(NodeSettings.ADVERTISE);
    List<HostPort> join = new ArrayList<>();
    for (String part : c.get(NodeSettings.JOIN).split(",")) {
      if (!part.isBlank()) {
        join.add(HostPort.parse(part.strip()));
      }
    }
    RuntimeOptions runtime = new RuntimeOptions(
        (int) Math.max(1, c.get(NodeSettings.TICK).toMillis()),
        c.get(NodeSettings.ELECTION_TICKS), c.get(NodeSettings.QUIESCE_AFTER_TICKS),
        RuntimeOptions.DEFAULTS.inboxCapacity(), c.get(NodeSettings.LOG_COMPACT_ENTRIES),
        c.get(NodeSettings.LOG_COMPACT_BYTES).bytes());
    TransportOptions transport = TransportOptions.DEFAULTS
        .withLivenessTimeout(c.get(NodeSettings.PEER_LIVENESS_TIMEOUT))
        .withSnapshotBytesPerSecond(c.get(NodeSettings.SNAPSHOT_RATE).bytes());
    return new NodeConfig(c.get(NodeSettings.STORE), listen,
        adv.isEmpty() ? Optional.empty() : Optional.of(HostPort.parse(adv)), join,
        http(c.get(NodeSettings.HTTP), listen), runtime, transport,
        c.get(NodeSettings.REPLICATION_FACTOR), c.get(NodeSettings.MAINTENANCE_INTERVAL),
        c.get(NodeSettings.NODE_DEAD_AFTER), c.get(NodeSettings.JOIN_TIMEOUT),
        c.get(NodeSettings.MERGE_THAW_AFTER));
  }

  private static Optional<HostPort> http(String text, HostPort listen) {
    return switch (text) {
      case "off" -> Optional.empty();
      case "auto" -> {
        if (listen.port() == 0) {
          yield Optional.of(new HostPort(listen.host(), 0));
        }
        int port = listen.port() + HTTP_PORT_OFFSET;
        if (port > 65535) {
          throw new IllegalArgumentException("setting 'node.http' is auto, but node.listen's"
              + " port " + listen.port() + " + " + HTTP_PORT_OFFSET + " is above 65535; set"
              + " node.http (--http HOST:PORT) or turn it off");
        }
        yield Optional.of(new HostPort(listen.host(), port));
      }
      default -> Optional.of(HostPort.parse(text));
    };
  }

  /** A config for tests and tools: defaults for everything but the essentials. */
  public static NodeConfig of(Path store, HostPort listen, List<HostPort> join) {
    return new NodeConfig(store, listen, Optional.empty(), join, Optional.empty(),
        RuntimeOptions.DEFAULTS, TransportOptions.DEFAULTS, 3, Duration.ofSeconds(1),
        Duration.ofSeconds(5), Duration.ofSeconds(60),
        NodeSettings.MERGE_THAW_AFTER.defaultValue());
  }

  public NodeConfig withRuntime(RuntimeOptions r) {
    return new NodeConfig(store, listen, advertise, join, http, r, transport, replicationFactor,
        maintenanceInterval, nodeDeadAfter, joinTimeout, mergeThawAfter);
  }

  public NodeConfig withTransport(TransportOptions t) {
    return new NodeConfig(store, listen, advertise, join, http, runtime, t, replicationFactor,
        maintenanceInterval, nodeDeadAfter, joinTimeout, mergeThawAfter);
  }

  public NodeConfig withHttp(Optional<HostPort> h) {
    return new NodeConfig(store, listen, advertise, join, h, runtime, transport,
        replicationFactor, maintenanceInterval, nodeDeadAfter, joinTimeout, mergeThawAfter);
  }

  public NodeConfig withListen(HostPort l) {
    return new NodeConfig(store, l, advertise, join, http, runtime, transport,
        replicationFactor, maintenanceInterval, nodeDeadAfter, joinTimeout, mergeThawAfter);
  }

  public NodeConfig withJoin(List<HostPort> j) {
    return new NodeConfig(store, listen, advertise, j, http, runtime, transport,
        replicationFactor, maintenanceInterval, nodeDeadAfter, joinTimeout, mergeThawAfter);
  }

  public NodeConfig withTimings(Duration maintenance, Duration deadAfter) {
    return new NodeConfig(store, listen, advertise, join, http, runtime, transport,
        replicationFactor, maintenance, deadAfter, joinTimeout, mergeThawAfter);
  }

  public NodeConfig withMergeThawAfter(Duration d) {
    return new NodeConfig(store, listen, advertise, join, http, runtime, transport,
        replicationFactor, maintenanceInterval, nodeDeadAfter, joinTimeout, d);
  }

  /** The address other nodes reach this one at. */
  public HostPort advertised() {
    return advertise.orElse(listen);
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
  }
}
