package io.flotilla.placement.driver;

import com.google.protobuf.ByteString;
import io.flotilla.config.HostPort;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.transport.TransportOptions;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.proto.PlacementGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Real nodes in this JVM, each with the placement driver installed, over gRPC on loopback, with
 * settings that make a dead store and a driver round take seconds rather than minutes.
 */
final class DriverCluster implements AutoCloseable {
  static final PlacementSettings SETTINGS = PlacementDriver.withoutMerges(
      PlacementSettings.builder())
      // Loose enough that a store slowed by a loaded CI machine is not declared down or dead.
      .set("store-down-after", 5_000).set("store-dead-after", 8_000).set("cooldown", 20_000)
      .set("step-timeout", 20_000).set("max-snapshots-per-store", 8).build();
  static final PlacementDriver.Options OPTIONS = new PlacementDriver.Options(
      Duration.ofMillis(200), Duration.ofMillis(2000), SETTINGS);

  private final Path dir;
  final Map<Long, Node> nodes = new TreeMap<>();
  private final Map<Long, String> names = new ConcurrentHashMap<>();
  private final List<Node> started = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  final List<String> log = Collections.synchronizedList(new ArrayList<>());

  private final PlacementDriver.Options options;

  DriverCluster(Path dir) {
    this(dir, OPTIONS);
  }

  DriverCluster(Path dir, PlacementDriver.Options options) {
    this.dir = dir;
    this.options = options;
  }

  private NodeConfig config(String name, List<HostPort> join) {
    return NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join)
        .withRuntime(new RuntimeOptions(20, 10, 3, 100_000))
        .withTransport(TransportOptions.DEFAULTS.withLivenessTimeout(Duration.ofMillis(600))
            .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)))
        .withTimings(Duration.ofMillis(100), Duration.ofSeconds(1));
  }

  Node start(String name) {
    List<HostPort> join = nodes.isEmpty() ? List.of()
        : List.of(HostPort.parse(nodes.values().iterator().next().address()));
    Node n = Node.start(config(name, join), line -> log.add(name + ": " + line),
        List.of(new PlacementDriver(options)));
    nodes.put(n.nodeId(), n);
    names.put(n.nodeId(), name);
    started.add(n);
    return n;
  }

  /** Starts a killed node again on its store (on a new port), joining through a live one. */
  Node restart(long id) {
    Node n = start(names.get(id));
    if (n.nodeId() != id) {
      throw new AssertionError("node " + names.get(id) + " came back as " + n.nodeId()
          + ", not " + id);
    }
    return n;
  }

  /** Stops a node as a crash would look to the others (its store stays on disk). */
  void kill(long id) {
    nodes.remove(id).close();
  }

  ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address,
        a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build());
  }

  NodeAdminGrpc.NodeAdminBlockingStub admin() {
    return NodeAdminGrpc.newBlockingStub(channel(any().address()))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /** The placement API of the node that drives placement now. */
  PlacementGrpc.PlacementBlockingStub placement() {
    long driver = driverNode();
    Node n = nodes.getOrDefault(driver, any());
    return PlacementGrpc.newBlockingStub(channel(n.address()))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /**
   * Calls the driver, asking again while the answer says it is elsewhere or busy: the system
   * range's leadership, and with it the driver, may move between two calls.
   */
  <T> T ask(java.util.function.Function<PlacementGrpc.PlacementBlockingStub, T> call,
      java.util.function.Function<T, io.flotilla.multiraft.proto.KvError> errorOf) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      T answer = call.apply(placement());
      var code = errorOf.apply(answer).getCode();
      boolean elsewhere = code == io.flotilla.multiraft.proto.KvError.Code.NOT_LEADER
          || code == io.flotilla.multiraft.proto.KvError.Code.UNAVAILABLE;
      if (!elsewhere || System.nanoTime() > deadline) {
        return answer;
      }
      Thread.onSpinWait();
    }
  }

  long driverNode() {
    for (Node n : nodes.values()) {
      for (RangeInfo ri : n.ranges()) {
        if (ri.descriptor().rangeId() == 1 && ri.leader() == n.nodeId()) {
          return n.nodeId();
        }
      }
    }
    return 0;
  }

  Node any() {
    return nodes.values().iterator().next();
  }

  /** Waits until both initial ranges have three voters: ranges split from them inherit those. */
  void awaitReplicated(Duration within) {
    await("the initial ranges have three voters", within, () -> {
      Map<Long, RangeInfo> views = leaderViews();
      return views.size() == 2 && views.values().stream()
          .allMatch(ri -> ri.descriptor().members().voters().size() == 3);
    });
  }

  void split(byte[] userKey) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      AdminSplitResponse r = admin().split(AdminSplitRequest.newBuilder()
          .setUserKey(ByteString.copyFrom(userKey)).build());
      if (!r.hasError()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("split at " + new String(userKey) + ": " + r.getError());
      }
      Thread.onSpinWait();
    }
  }

  /** Every range's view on every node: range id -> voters, as each range's leader sees it. */
  Map<Long, RangeInfo> leaderViews() {
    Map<Long, RangeInfo> out = new TreeMap<>();
    for (Node n : nodes.values()) {
      for (RangeInfo ri : n.ranges()) {
        if (ri.leader() == n.nodeId()) {
          out.put(ri.descriptor().rangeId(), ri);
        }
      }
    }
    return out;
  }

  void await(String what, Duration within, BooleanSupplier cond) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder tail = new StringBuilder();
        synchronized (log) {
          log.subList(Math.max(0, log.size() - 40), log.size())
              .forEach(l -> tail.append("\n  ").append(l));
        }
        for (Node n : nodes.values()) {
          tail.append("\n  node ").append(n.nodeId());
          n.ranges().forEach(ri -> tail.append("\n    ").append(ri.descriptor())
              .append(" leader ").append(ri.leader()).append(" applied ").append(ri.applied()));
        }
        throw new AssertionError("timed out waiting until " + what + "; last log lines:"
            + tail);
      }
      try {
        Thread.sleep(50); // polling a whole cluster's published state; cheap enough
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    started.forEach(Node::close);
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
