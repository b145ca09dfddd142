package io.flotilla.multiraft.kv;

import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.multiraft.transport.IncomingSnapshots;
import io.flotilla.multiraft.transport.LocalNetwork;
import io.flotilla.multiraft.proto.JoinRequest;
import io.flotilla.multiraft.proto.JoinResponse;
import io.flotilla.multiraft.proto.NodeInfoPb;
import io.flotilla.multiraft.proto.NodesResponse;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.flotilla.raft.ConfState;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * N store runtimes in one JVM with real RocksDB stores, each serving {@link KvService} on its own
 * gRPC server on 127.0.0.1 (an ephemeral port), bootstrapped with the keyspace's two ranges
 * (system and user) replicated on every node. Raft messages travel through a
 * {@link LocalNetwork}; clients talk real gRPC.
 */
public final class KvCluster implements AutoCloseable {
  /** 10 ms ticks, elections after 10: leaders within a few hundred ms. */
  public static final RuntimeOptions FAST = new RuntimeOptions(10, 10, 3, 100_000);

  /** Room for the store's largest value (8 MiB) in one request, as a node must allow. */
  public static final int MAX_REQUEST_BYTES = 16 << 20;

  /** One node: its store, runtime, service and server. */
  public record Node(long id, Store store, StoreRuntime runtime, KvService service,
      Server server, String address) {}

  private final LocalNetwork net = new LocalNetwork();
  private final Map<Long, Node> nodes = new TreeMap<>();
  private final Map<Long, String> addresses = new java.util.concurrent.ConcurrentSkipListMap<>();

  private KvCluster() {}

  public static KvCluster start(Path dir, int n) {
    return start(dir, n, FAST, KvService.DEFAULT_TIMEOUT);
  }

  /** Starts {@code n} nodes and waits until both ranges have a leader. */
  public static KvCluster start(Path dir, int n, RuntimeOptions options, Duration kvTimeout) {
    KvCluster c = new KvCluster();
    Long[] ids = new Long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = (long) (i + 1);
    }
    for (long id : ids) {
      c.startNode(dir, id, options, kvTimeout);
    }
    ConfState voters = ConfState.ofVoters(ids);
    RangeDescriptor system = new RangeDescriptor(Keyspace.SYSTEM_RANGE_ID, new byte[0],
        Keyspace.userStart(), 0, voters);
    RangeDescriptor user = new RangeDescriptor(Keyspace.FIRST_USER_RANGE_ID,
        Keyspace.userStart(), new byte[0], 0, voters);
    for (Node node : c.nodes.values()) {
      join(node.runtime().createRange(system));
      join(node.runtime().createRange(user));
    }
    c.awaitLeader(Keyspace.SYSTEM_RANGE_ID);
    c.awaitLeader(Keyspace.FIRST_USER_RANGE_ID);
    return c;
  }

  private void startNode(Path dir, long id, RuntimeOptions options, Duration kvTimeout) {
    Store store = Store.create(dir.resolve("n" + id), new StoreIdentity(9, id,
        Store.FORMAT_VERSION), StoreOptions.DEFAULTS);
    StoreRuntime rt = new StoreRuntime(id, store, new RaftLogStore(store),
        net.join(id, IncomingSnapshots.REFUSE, 100_000), options, System::currentTimeMillis);
    rt.start();
    KvService service = new KvService(rt, new StaticMembership(), kvTimeout);
    Server server;
    try {
      server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .maxInboundMessageSize(MAX_REQUEST_BYTES).addService(service).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String address = "127.0.0.1:" + server.getPort();
    addresses.put(id, address);
    nodes.put(id, new Node(id, store, rt, service, server, address));
  }

  /** Answers Nodes from the addresses of every node started (killed ones included). */
  private final class StaticMembership implements ClusterMembership {
    @Override
    public JoinResponse join(JoinRequest request) {
      throw new UnsupportedOperationException("this test cluster takes no new nodes");
    }

    @Override
    public NodesResponse nodes() {
      NodesResponse.Builder b = NodesResponse.newBuilder().setClusterId(9);
      addresses.forEach((id, addr) -> b.addNodes(NodeInfoPb.newBuilder().setNodeId(id)
          .setAddress(addr)));
      return b.build();
    }
  }

  public Node node(long id) {
    return nodes.get(id);
  }

  public StoreRuntime runtime(long id) {
    return nodes.get(id).runtime();
  }

  public String address(long id) {
    return nodes.get(id).address();
  }

  public List<Long> nodeIds() {
    return new ArrayList<>(nodes.keySet());
  }

  public LocalNetwork network() {
    return net;
  }

  /** The node that leads {@code rangeId} by its own account, or 0. */
  public long leaderOf(long rangeId) {
    for (Node n : nodes.values()) {
      for (RangeInfo ri : n.runtime().ranges()) {
        if (ri.descriptor().rangeId() == rangeId && ri.leader() == n.id()) {
          return n.id();
        }
      }
    }
    return 0;
  }

  public long awaitLeader(long rangeId) {
    await("range " + rangeId + " has a leader", () -> leaderOf(rangeId) != 0);
    return leaderOf(rangeId);
  }

  /** The id of the range holding {@code internalKey}, by {@code node}'s account, or 0. */
  public long rangeHolding(long node, byte[] internalKey) {
    for (RangeInfo ri : nodes.get(node).runtime().ranges()) {
      if (ri.descriptor().contains(internalKey)) {
        return ri.descriptor().rangeId();
      }
    }
    return 0;
  }

  /** Splits the range holding {@code internalKey} there, and waits until every node has both. */
  public long split(byte[] internalKey) {
    // The range may be a right half that has no leader yet (the previous split just made it).
    await("a leader of the range holding the split key", () -> nodeIds().stream()
        .anyMatch(id -> leaderOf(rangeHolding(id, internalKey)) == id));
    long leader = nodeIds().stream().filter(id -> leaderOf(rangeHolding(id, internalKey)) == id)
        .findFirst().orElseThrow();
    long rangeId = rangeHolding(leader, internalKey);
    int before = runtime(leader).ranges().size();
    if (!join(runtime(leader).split(rangeId, internalKey)).ok()) {
      throw new AssertionError("split of range " + rangeId + " was refused");
    }
    await("every node holds the new range", () -> nodes.values().stream()
        .allMatch(n -> n.runtime().ranges().size() == before + 1));
    long right = rangeHolding(leader, internalKey);
    awaitLeader(right);
    return right;
  }

  /** Kills a node as a crash would: cut off, then server, runtime and store closed. */
  public void kill(long id) {
    Node n = nodes.remove(id);
    net.isolate(id);
    n.server().shutdownNow();
    n.service().close();
    n.runtime().close();
    n.store().close();
  }

  public void await(String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + state());
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what);
      }
    }
  }

  public String state() {
    StringBuilder s = new StringBuilder();
    for (Node n : nodes.values()) {
      s.append("\n  node ").append(n.id()).append(" at ").append(n.address()).append(": ")
          .append(n.runtime().stats());
      for (RangeInfo ri : n.runtime().ranges()) {
        s.append("\n    ").append(ri);
      }
    }
    return s.toString();
  }

  public static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Override
  public void close() {
    for (long id : nodeIds()) {
      Node n = nodes.remove(id);
      n.server().shutdownNow();
      n.service().close();
      n.runtime().close();
      n.store().close();
    }
    net.close();
  }
}
