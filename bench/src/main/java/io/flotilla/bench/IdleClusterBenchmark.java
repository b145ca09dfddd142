package io.flotilla.bench;

import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.runtime.ApplyResult;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU an idle 3-node cluster holding {@code ranges} ranges uses, with quiescence on and off
 * (issue #4). The cluster is {@link BenchCluster}: three real {@link Node}s in this JVM, RocksDB
 * stores under {@link BenchDirs}, gRPC on loopback, default tick (100 ms) and maintenance
 * interval (1 s). "Quiescence off" is {@code quiesceAfterTicks = Integer.MAX_VALUE}: no leader
 * ever goes quiet.
 *
 * <p>Setup splits the user range {@code ranges - 2} times (the system range is the other one),
 * all splits proposed at once on the user range's leader, highest key first so that every split
 * key stays inside the left half that keeps the range's id. The left half's leader campaigns for
 * each right half, so one node leads almost every range. Setup then waits until every range has
 * three voters and a leader on every node, with quiescence on until every replica is quiet, and
 * until nothing is applied anywhere for a few seconds (the meta records of the new ranges are
 * written by the nodes' maintenance loops, 1,000 per round).
 *
 * <p>The measurement is one {@code SingleShotTime} call that sleeps for {@code windowSeconds}
 * while the cluster idles; the JVM's process CPU time over it, divided by the wall time, is
 * {@code cores} (an {@link AuxCounters} column). It also reports the garbage collections and the
 * replica ticks (summed over the three runtimes) in the window, and the CPU per thread group.
 * The score itself (the window's length) means nothing.
 *
 * <p>Run: {@code ./flotilla bench IdleClusterBenchmark -f 1 -wi 0 -i 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
@Warmup(iterations = 0)
@Measurement(iterations = 1)
public class IdleClusterBenchmark {
  /** How long nothing may be applied anywhere before the cluster counts as idle. */
  private static final long SETTLED_MILLIS = 5_000;

  /** Ranges on every node, the system range included. */
  @Param({"10000"})
  public int ranges;

  @Param({"on", "off"})
  public String quiescence;

  @Param({"20"})
  public int windowSeconds;

  private BenchCluster cluster;

  /** What one idle window cost; JMH shows each field as a secondary result. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Idle {
    /** CPU seconds per wall second of the whole JVM (3 nodes). */
    public double cores;
    /** Replica ticks in the window, summed over the three nodes. */
    public long ticks;
    /** Garbage collections in the window. */
    public long gcs;

    @Setup(Level.Iteration)
    public void clear() {
      cores = 0;
      ticks = 0;
      gcs = 0;
    }
  }

  @Setup(Level.Trial)
  public void start() {
    boolean quiet = switch (quiescence) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException("quiescence must be on or off: "
          + quiescence);
    };
    if (ranges < 2) {
      throw new IllegalArgumentException("ranges must be >= 2 (system and user range)");
    }
    RuntimeOptions d = RuntimeOptions.DEFAULTS;
    RuntimeOptions opts = quiet ? d
        : new RuntimeOptions(d.tickMillis(), d.electionTicks(), Integer.MAX_VALUE,
            d.inboxCapacity());
    long t0 = System.nanoTime();
    cluster = BenchCluster.start("flotilla-idle-bench-", opts);
    createRanges(ranges - 2);
    BenchCluster.await(ranges + " ranges with three voters and a leader on every node",
        () -> cluster.nodes().stream().allMatch(n -> replicated(n, ranges)));
    long t1 = System.nanoTime();
    if (quiet) {
      BenchCluster.await("every replica is quiescent",
          () -> cluster.nodes().stream().allMatch(IdleClusterBenchmark::allQuiet));
    }
    awaitSettled(quiet);
    long t2 = System.nanoTime();
    Map<Long, Integer> led = new TreeMap<>();
    for (Node n : cluster.nodes()) {
      led.put(n.nodeId(), (int) n.ranges().stream().filter(r -> r.leader() == n.nodeId())
          .count());
    }
    System.out.printf("[flotilla] %d ranges created and replicated in %.1f s, idle after %.1f s"
        + " more; ranges led per node %s; quiescence %s%n", ranges, (t1 - t0) / 1e9,
        (t2 - t1) / 1e9, led, quiescence);
  }

  /** Splits the user range at {@code splits} keys, all proposed at once on its leader. */
  private void createRanges(int splits) {
    if (splits == 0) {
      return;
    }
    Node leader = leaderOf(Keyspace.FIRST_USER_RANGE_ID);
    List<CompletableFuture<ApplyResult>> results = new ArrayList<>(splits);
    // Highest key first: each split leaves the next key in range 2 (the left half).
    for (int i = splits; i >= 1; i--) {
      byte[] key = Keyspace.toInternal(String.format("r%06d", i)
          .getBytes(StandardCharsets.UTF_8));
      results.add(leader.runtime().split(Keyspace.FIRST_USER_RANGE_ID, key));
    }
    for (CompletableFuture<ApplyResult> f : results) {
      ApplyResult r = f.orTimeout(120, TimeUnit.SECONDS).join();
      if (r.error() != null) {
        throw new IllegalStateException("split failed: " + r.error());
      }
    }
  }

  private Node leaderOf(long rangeId) {
    for (Node n : cluster.nodes()) {
      for (RangeInfo ri : n.ranges()) {
        if (ri.descriptor().rangeId() == rangeId && ri.leader() == n.nodeId()) {
          return n;
        }
      }
    }
    throw new IllegalStateException("range " + rangeId + " has no leader");
  }

  private static boolean replicated(Node n, int ranges) {
    List<RangeInfo> rs = n.ranges();
    if (rs.size() != ranges) {
      return false;
    }
    for (RangeInfo ri : rs) {
      if (ri.descriptor().members().voters().size() != 3 || ri.leader() == 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean allQuiet(Node n) {
    for (RangeInfo ri : n.ranges()) {
      if (!ri.quiescent() || ri.leader() == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Waits until nothing was applied on any node for {@link #SETTLED_MILLIS} and every node holds
   * a meta record per range (and, with quiescence on, every replica is quiet again).
   */
  private void awaitSettled(boolean quiet) {
    long[] last = {-1};
    long[] since = {System.nanoTime()};
    BenchCluster.await("the cluster is idle (nothing applied for " + SETTLED_MILLIS + " ms)",
        () -> {
          long applied = cluster.nodes().stream().mapToLong(n -> n.runtime().stats().applied())
              .sum();
          long now = System.nanoTime();
          if (applied != last[0]) {
            last[0] = applied;
            since[0] = now;
            return false;
          }
          return now - since[0] >= SETTLED_MILLIS * 1_000_000
              && cluster.nodes().stream().allMatch(n -> n.metaRecords().size() >= ranges)
              && (!quiet || cluster.nodes().stream().allMatch(IdleClusterBenchmark::allQuiet));
        });
  }

  @Benchmark
  public void idle(Idle out) throws InterruptedException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Long> threadCpu = threadCpu(threads);
    long ticks0 = ticks();
    long gcs0 = gcCount();
    long gcMillis0 = gcMillis();
    long cpu0 = processCpuNanos();
    long wall0 = System.nanoTime();
    Thread.sleep(windowSeconds * 1000L);
    long cpu = processCpuNanos() - cpu0;
    long wall = System.nanoTime() - wall0;
    out.cores = (double) cpu / wall;
    out.ticks = ticks() - ticks0;
    out.gcs = gcCount() - gcs0;
    System.out.printf("%n[flotilla] idle: %.3f cores (%.1f%% of one core) over %.1f s, %d ranges,"
        + " quiescence %s; %d ticks, %d GCs (%d ms)%n", out.cores, 100 * out.cores, wall / 1e9,
        ranges, quiescence, out.ticks, out.gcs, gcMillis() - gcMillis0);
    printThreadCpu(threads, threadCpu, wall);
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private long ticks() {
    return cluster.nodes().stream().mapToLong(n -> n.runtime().stats().ticks()).sum();
  }

  private static long gcCount() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionCount).filter(c -> c > 0).sum();
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(c -> c > 0).sum();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static Map<Long, Long> threadCpu(ThreadMXBean threads) {
    Map<Long, Long> out = new TreeMap<>();
    for (long id : threads.getAllThreadIds()) {
      long ns = threads.getThreadCpuTime(id);
      if (ns >= 0) {
        out.put(id, ns);
      }
    }
    return out;
  }

  /**
   * Where the window's CPU went, by Java thread group (the name without its trailing numbers);
   * the rest of the process CPU is the JVM's own threads (GC, compiler) and RocksDB's.
   */
  private static void printThreadCpu(ThreadMXBean threads, Map<Long, Long> before, long wall) {
    Map<String, Long> byGroup = new TreeMap<>();
    for (Map.Entry<Long, Long> e : threadCpu(threads).entrySet()) {
      ThreadInfo info = threads.getThreadInfo(e.getKey());
      if (info == null) {
        continue;
      }
      long used = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      String group = info.getThreadName().replaceAll("[-#]?\\d+(-\\d+)*$", "");
      byGroup.merge(group, used, Long::sum);
    }
    byGroup.entrySet().stream().filter(e -> e.getValue() * 1000 >= wall)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> System.out.printf("[flotilla]   %-40s %.3f cores%n", e.getKey(),
            (double) e.getValue() / wall));
  }
}
