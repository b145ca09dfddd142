package io.flotilla.bench;

import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.multiraft.node.Node;
import io.flotilla.placement.tso.TsoClient;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Transactions through a 3-node cluster ({@link BenchCluster}: real nodes with the timestamp
 * oracle, gRPC on loopback, RocksDB with fsync), the user keyspace split in two at "8". Each
 * transaction puts two random 16-byte keys with 256-byte values: both in the lower range (one
 * command commits them, in one phase) or one in each range (prewrite both, then commit the
 * primary; the secondary commits in the background). From 1 and 16 threads, each running one
 * transaction at a time through one shared {@link TxnClient}.
 *
 * <p>Run it twice: {@code -bm thrpt -tu s} for transactions per second and {@code -bm sample
 * -tu us} for p50/p99 latency (README). Each iteration prints how many commits took one phase
 * and how many one-phase attempts the leaders refused (those commit in two phases).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class TxnBenchmark {
  private BenchCluster cluster;
  private TsoClient tso;
  private TxnClient txns;
  private final byte[] value = new byte[ClusterBenchmark.VALUE_BYTES];
  private long onePhaseAtStart;
  private long refusedAtStart;

  @Setup(Level.Trial)
  public void start() {
    cluster = BenchCluster.start("flotilla-txn-bench-");
    cluster.split(List.of("8".getBytes(StandardCharsets.UTF_8)));
    tso = new TsoClient(cluster.nodes().stream().map(Node::address).toList());
    txns = new TxnClient(cluster.client(), tso::getTimestamp);
    Arrays.fill(value, (byte) 'v');
  }

  @TearDown(Level.Trial)
  public void stop() {
    txns.close();
    tso.close();
    cluster.close();
  }

  @Setup(Level.Iteration)
  public void markIteration() {
    onePhaseAtStart = stat(true);
    refusedAtStart = stat(false);
  }

  @TearDown(Level.Iteration)
  public void report() {
    System.out.printf("[flotilla] %d one-phase commits, %d one-phase attempts refused%n",
        stat(true) - onePhaseAtStart, stat(false) - refusedAtStart);
  }

  private long stat(boolean admitted) {
    return cluster.nodes().stream().mapToLong(n -> admitted
        ? n.runtime().stats().onePhaseCommits() : n.runtime().stats().onePhaseRefused()).sum();
  }

  /** 16 hex digits, the first below "8" ({@code low}) or not: the range it falls in. */
  private static byte[] key(boolean low) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String rest = String.format("%015x", r.nextLong() >>> 4);
    return (Integer.toHexString(low ? r.nextInt(8) : 8 + r.nextInt(8)) + rest)
        .getBytes(StandardCharsets.UTF_8);
  }

  private void putTwo(boolean sameRange) {
    byte[] first = key(true);
    byte[] second = key(sameRange);
    txns.run(t -> {
      t.put(first, value);
      t.put(second, value);
      return null;
    });
  }

  @Benchmark
  @Threads(1)
  public void oneRange1() {
    putTwo(true);
  }

  @Benchmark
  @Threads(16)
  public void oneRange16() {
    putTwo(true);
  }

  @Benchmark
  @Threads(1)
  public void twoRanges1() {
    putTwo(false);
  }

  @Benchmark
  @Threads(16)
  public void twoRanges16() {
    putTwo(false);
  }
}
