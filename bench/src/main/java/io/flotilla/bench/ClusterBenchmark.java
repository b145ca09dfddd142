package io.flotilla.bench;

import io.flotilla.multiraft.client.KvEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Puts and linearizable gets through a 3-node cluster ({@link BenchCluster}: real nodes, gRPC on
 * loopback, RocksDB with fsync) from 1, 16 and 64 concurrent clients, each with one request in
 * flight, on 1 or 64 user ranges. Keys are 16 bytes spread evenly over the ranges, values 256
 * bytes: the shape of the etcd and RheaKV figures in issue #4.
 *
 * <p>Each JMH thread is one client doing blocking calls through one shared {@code KvClient}, so
 * the thread count is the number of requests in flight. Run it twice: {@code -bm thrpt -tu s}
 * for operations per second and {@code -bm sample -tu us} for p50/p99 latency (README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class ClusterBenchmark {
  static final int VALUE_BYTES = 256;
  static final int PRELOADED_KEYS = 10_000;

  @Param({"1", "64"})
  public int ranges;

  private BenchCluster cluster;
  private final byte[] value = new byte[VALUE_BYTES];
  private final List<byte[]> preloaded = new ArrayList<>();

  @Setup(Level.Trial)
  public void start() {
    cluster = BenchCluster.start("flotilla-cluster-bench-");
    Arrays.fill(value, (byte) 'v');
    if (ranges > 1) {
      List<byte[]> splits = new ArrayList<>();
      for (int i = 1; i < ranges; i++) {
        splits.add(String.format("%02x", i * 256 / ranges).getBytes(StandardCharsets.UTF_8));
      }
      cluster.split(splits);
    }
    List<KvEntry> batch = new ArrayList<>();
    for (int i = 0; i < PRELOADED_KEYS; i++) {
      byte[] k = randomKey();
      batch.add(new KvEntry(k, value));
      preloaded.add(k);
    }
    cluster.client().batchPut(batch);
  }

  private long cpuAtStart;
  private long proposalsAtStart;
  private long nanosAtStart;
  private List<long[]> countersAtStart;

  @Setup(Level.Iteration)
  public void markIteration() {
    cpuAtStart = processCpuNanos();
    proposalsAtStart = proposals();
    nanosAtStart = System.nanoTime();
    countersAtStart = cluster.nodes().stream().map(ClusterBenchmark::counters).toList();
  }

  /** Cycles, fsyncs, log entries and writes proposed, for the per-node pipeline report. */
  private static long[] counters(io.flotilla.multiraft.node.Node n) {
    var rt = n.runtime().stats();
    return new long[] {rt.cycles(), n.walStats().syncs(), rt.entries(), rt.proposals()};
  }

  /**
   * CPU per operation is the figure that contention on a shared 2-core box does not distort:
   * it says where throughput would go with the machine to ourselves.
   */
  @TearDown(Level.Iteration)
  public void reportCpu() {
    long ops = proposals() - proposalsAtStart;
    if (ops > 0) {
      System.out.printf("[flotilla] %.1f us of CPU per write (whole JVM: 3 nodes and the"
          + " clients), %d writes%n", (processCpuNanos() - cpuAtStart) / 1000.0 / ops, ops);
    }
    double secs = (System.nanoTime() - nanosAtStart) / 1e9;
    for (int i = 0; i < cluster.nodes().size(); i++) {
      long[] now = counters(cluster.nodes().get(i));
      long[] then = countersAtStart.get(i);
      long entries = now[2] - then[2];
      System.out.printf("[flotilla] node %d: %.0f cycles/s, %.0f fsyncs/s, %.0f entries/s"
          + " proposed, %.1f writes per entry%n", i + 1, (now[0] - then[0]) / secs,
          (now[1] - then[1]) / secs, entries / secs,
          entries == 0 ? 0.0 : (double) (now[3] - then[3]) / entries);
    }
  }

  /** Writes proposed by the leaders of all nodes (reads propose nothing). */
  private long proposals() {
    return cluster.nodes().stream().mapToLong(n -> n.runtime().stats().proposals()).sum();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  @TearDown(Level.Trial)
  public void stop() {
    cluster.close();
  }

  /** 16 hex digits: uniform over the split points, which are 2-digit hex prefixes. */
  static byte[] randomKey() {
    return String.format("%016x", ThreadLocalRandom.current().nextLong())
        .getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  @Threads(1)
  public void put1() {
    cluster.client().put(randomKey(), value);
  }

  @Benchmark
  @Threads(16)
  public void put16() {
    cluster.client().put(randomKey(), value);
  }

  @Benchmark
  @Threads(64)
  public void put64() {
    cluster.client().put(randomKey(), value);
  }

  @Benchmark
  @Threads(64)
  public byte[] get64() {
    return cluster.client().get(preloaded.get(
        ThreadLocalRandom.current().nextInt(preloaded.size())));
  }
}
