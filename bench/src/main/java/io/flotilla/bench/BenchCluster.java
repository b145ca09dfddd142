package io.flotilla.bench;

import com.google.protobuf.ByteString;
import io.flotilla.config.HostPort;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.multiraft.node.NodeExtension;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.placement.tso.TimestampOracle;
import io.flotilla.placement.tso.TsoOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A 3-node Flotilla cluster in this JVM for the benchmarks: real {@link Node}s with their own
 * RocksDB stores (fsync on) under {@link BenchDirs}, talking gRPC over loopback, exactly as
 * {@code flotilla start} runs them, timestamp oracle included. Setup waits until every range has
 * three voters.
 */
final class BenchCluster implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(120);

  private final Path dir;
  private final List<Node> nodes = new ArrayList<>();
  private final KvClient client;

  private BenchCluster(Path dir, RuntimeOptions runtime) {
    this.dir = dir;
    // Transactions take their timestamps from it.
    List<NodeExtension> tso = List.of(TimestampOracle.extension(TsoOptions.DEFAULTS));
    Node first = Node.start(config("n1", List.of(), runtime), line -> { }, tso);
    nodes.add(first);
    HostPort seed = HostPort.parse(first.address());
    for (String name : List.of("n2", "n3")) {
      nodes.add(Node.start(config(name, List.of(seed), runtime), line -> { }, tso));
    }
    client = new KvClient(nodes.stream().map(Node::address).toList(),
        KvClientOptions.defaults().withTotalTimeout(Duration.ofSeconds(30)));
    await("both ranges have three voters on every node", () -> replicated(2));
  }

  /** Starts three nodes with the default runtime settings. */
  static BenchCluster start(String prefix) {
    return start(prefix, RuntimeOptions.DEFAULTS);
  }

  static BenchCluster start(String prefix, RuntimeOptions runtime) {
    return new BenchCluster(BenchDirs.create(prefix), runtime);
  }

  private NodeConfig config(String name, List<HostPort> join, RuntimeOptions runtime) {
    return NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join)
        .withRuntime(runtime);
  }

  KvClient client() {
    return client;
  }

  List<Node> nodes() {
    return nodes;
  }

  /** Splits the user keyspace at each of {@code userKeys} and waits until all are replicated. */
  void split(List<byte[]> userKeys) {
    // Counted before: a split is answered once its range's leader applied it, and that leader
    // need not be node 1, whose count may still lag.
    int expected = nodes.get(0).ranges().size() + userKeys.size();
    ManagedChannel ch = ManagedChannelBuilder.forTarget(nodes.get(0).address()).usePlaintext()
        .build();
    try {
      var admin = NodeAdminGrpc.newBlockingStub(ch);
      for (byte[] k : userKeys) {
        // The range to split may be the right half of the previous split, still electing its
        // leader: ask again until it has one.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
          AdminSplitResponse r = admin.withDeadlineAfter(30, TimeUnit.SECONDS)
              .split(AdminSplitRequest.newBuilder().setUserKey(ByteString.copyFrom(k)).build());
          if (!r.hasError()) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("split at " + new String(k) + ": " + r.getError());
          }
          pause();
        }
      }
    } finally {
      ch.shutdownNow();
    }
    await(expected + " ranges with three voters on every node", () -> replicated(expected));
  }

  private boolean replicated(int ranges) {
    for (Node n : nodes) {
      List<RangeInfo> rs = n.ranges();
      if (rs.size() != ranges) {
        return false;
      }
      for (RangeInfo ri : rs) {
        if (ri.descriptor().members().voters().size() != 3 || ri.leader() == 0) {
          return false;
        }
      }
    }
    return true;
  }

  static void await(String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("benchmark cluster: timed out waiting until " + what);
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    // How the work batched: proposals per WAL batch is what the one-fsync-per-cycle design buys.
    for (Node n : nodes) {
      var s = n.runtime().stats();
      System.out.printf("[flotilla] node %d: %d cycles, %d WAL batches, %d proposals in %d"
          + " entries, %d entries applied%n", n.nodeId(), s.cycles(), s.walBatches(),
          s.proposals(), s.entries(), s.applied());
    }
    client.close();
    nodes.forEach(Node::close);
    BenchDirs.delete(dir);
  }
}
