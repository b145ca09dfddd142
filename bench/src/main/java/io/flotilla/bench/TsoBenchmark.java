package io.flotilla.bench;

import io.flotilla.config.HostPort;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.multiraft.node.NodeExtension;
import io.flotilla.placement.tso.TimestampOracle;
import io.flotilla.placement.tso.TsoClient;
import io.flotilla.placement.tso.TsoOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Timestamps per second from the timestamp oracle of a 3-node cluster (real nodes with their
 * RocksDB stores, gRPC on loopback, as {@code flotilla start} runs them) through one
 * {@link TsoClient}, with 1 and 16 callers each asking for one timestamp at a time. The client
 * batches concurrent callers into one RPC; each batch costs the leader one linearizable read of
 * the mark (a heartbeat round to a quorum), so 16 callers share that round trip.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class TsoBenchmark {
  private Path dir;
  private final List<Node> nodes = new ArrayList<>();
  private TsoClient client;
  private long rpcsAtStart;
  private long callsAtStart;
  private final AtomicLong calls = new AtomicLong();

  @Setup(Level.Trial)
  public void start() {
    dir = BenchDirs.create("flotilla-tso-bench-");
    List<NodeExtension> tso = List.of(TimestampOracle.extension(TsoOptions.DEFAULTS));
    Node first = Node.start(config("n1", List.of()), line -> { }, tso);
    nodes.add(first);
    for (String name : List.of("n2", "n3")) {
      nodes.add(Node.start(config(name, List.of(HostPort.parse(first.address()))), line -> { },
          tso));
    }
    BenchCluster.await("the system range has three voters and a leader", () -> nodes.stream()
        .allMatch(n -> n.ranges().stream().anyMatch(ri -> ri.descriptor().rangeId()
            == Keyspace.SYSTEM_RANGE_ID && ri.descriptor().members().voters().size() == 3
            && ri.leader() != 0)));
    client = new TsoClient(nodes.stream().map(Node::address).toList());
    client.getTimestamp(); // the leader has taken over the mark
  }

  private NodeConfig config(String name, List<HostPort> join) {
    return NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join);
  }

  @Setup(Level.Iteration)
  public void markIteration() {
    rpcsAtStart = client.rpcs();
    callsAtStart = calls.get();
  }

  @TearDown(Level.Iteration)
  public void report() {
    long rpcs = client.rpcs() - rpcsAtStart;
    long n = calls.get() - callsAtStart;
    if (rpcs > 0) {
      System.out.printf("[flotilla] %d calls in %d RPCs: %.1f timestamps per RPC%n", n, rpcs,
          (double) n / rpcs);
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    client.close();
    nodes.forEach(Node::close);
    BenchDirs.delete(dir);
  }

  private long one() {
    calls.incrementAndGet();
    return client.getTimestamp();
  }

  @Benchmark
  @Threads(1)
  public long callers1() {
    return one();
  }

  @Benchmark
  @Threads(16)
  public long callers16() {
    return one();
  }
}
