package io.flotilla.bench;

import io.flotilla.kv.GroupLog;
import io.flotilla.kv.LogEntry;
import io.flotilla.kv.RaftHardState;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.WalBatch;
import io.flotilla.kv.WalStats;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the batched raft-log write ({@link RaftLogStore#commit}) on a real disk.
 *
 * <p>One operation is one {@link WalBatch} holding, for each of {@code groupsPerBatch} groups,
 * one log entry of {@code payloadBytes} and the group's hard state, committed with one synced
 * RocksDB write. The primary score is therefore batches (commits) per second; the secondary
 * metrics are
 * <ul>
 *   <li>{@code entries}: log entries made durable per second (= batches/s x groupsPerBatch), and
 *   <li>{@code fsyncs}: synced RocksDB writes per second, from the delta of
 *       {@link RaftLogStore#stats()}{@code .syncs()} over the iteration.
 * </ul>
 * The point of the batched WAL: fsyncs/s is bounded by the disk's sync rate (measure it with
 * {@code dd if=/dev/zero of=FILE bs=4k count=2000 oflag=dsync} on the same file system), while
 * entries/s grows with the number of groups that share each fsync.
 *
 * <p>{@link #commit} uses one committer thread. {@link #commit4Threads} runs four committers,
 * each with its own {@code groupsPerBatch} groups (a group's batches are committed one after
 * the other, as the store runtime does); their batches coalesce in the group commit, so fsyncs/s
 * stays below batches/s.
 *
 * <p>The store is created per trial in a scratch directory (see {@link BenchDirs}; by default
 * under {@code java.io.tmpdir}, which must not be tmpfs) and deleted after it; every group's log
 * is compacted to its last index after each iteration, so the disk use stays bounded.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar
 * WalAppendBenchmark -f 1 -wi 3 -w 2s -i 5 -r 3s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class WalAppendBenchmark {
  /** Groups with one new entry (and a hard state) in each batch. */
  @Param({"1", "16", "256"})
  public int groupsPerBatch;

  /** Bytes of each entry's payload. */
  @Param({"256"})
  public int payloadBytes;

  private Path dir;
  private Store store;
  private RaftLogStore log;
  private byte[] payload;
  private final AtomicInteger nextCommitter = new AtomicInteger();

  @Setup(Level.Trial)
  public void openStore() {
    dir = BenchDirs.create("wal-bench-");
    store = Store.create(dir, new StoreIdentity(1, 1, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS);
    log = new RaftLogStore(store);
    payload = new byte[payloadBytes];
    new SplittableRandom(42).nextBytes(payload);
    nextCommitter.set(0);
  }

  /**
   * Keeps the disk bounded: drops every entry written so far, outside the measured time. Done
   * here, in the shared state, because JMH runs it once every committer has stopped and before
   * the store is closed (a per-thread teardown could race with {@link #closeStore}).
   */
  @TearDown(Level.Iteration)
  public void compactLogs() {
    byte[] membership = new byte[0];
    long groups = (long) nextCommitter.get() * groupsPerBatch;
    for (long g = 1; g <= groups; g++) {
      GroupLog gl = log.group(g);
      if (gl.lastIndex() >= gl.firstIndex()) {
        log.compact(g, gl.lastIndex(), membership);
      }
    }
  }

  @TearDown(Level.Trial)
  public void closeStore() {
    WalStats s = log.stats();
    System.out.printf("[flotilla] trial: %d syncs, %d batches (%.2f per sync), %d entries,"
        + " %d MB of entries; store dir %d MB at the end%n", s.syncs(), s.batches(),
        s.syncs() == 0 ? 0.0 : (double) s.batches() / s.syncs(), s.entries(),
        s.bytes() >> 20, BenchDirs.size(dir) >> 20);
    store.close();
    BenchDirs.delete(dir);
  }

  /** One committer thread's groups and where their logs end. */
  @State(Scope.Thread)
  public static class Committer {
    int slot;
    long firstGroup;
    int groups;
    long nextIndex;
    byte[] payload;
    RaftLogStore log;

    @Setup(Level.Trial)
    public void claimGroups(WalAppendBenchmark b) {
      slot = b.nextCommitter.getAndIncrement();
      groups = b.groupsPerBatch;
      firstGroup = (long) slot * groups + 1;
      payload = b.payload;
      log = b.log;
      nextIndex = log.group(firstGroup).lastIndex() + 1;
    }

    /** Builds and commits the next batch: one entry and a hard state per group. */
    void commitNext() {
      long index = nextIndex++;
      RaftHardState hs = new RaftHardState(1, 1, index - 1);
      WalBatch batch = new WalBatch();
      for (long g = firstGroup, end = firstGroup + groups; g < end; g++) {
        batch.append(g, List.of(new LogEntry(index, 1, (byte) 0, payload)));
        batch.setHardState(g, hs);
      }
      log.commit(batch);
    }
  }

  /**
   * Secondary metrics, per second: entries made durable and fsyncs. The store's sync counter is
   * global, so only the first committer reports it (as a delta since the iteration began).
   */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Rates {
    public long entries;
    public long fsyncs;
    private boolean reportsSyncs;
    private long syncsAtStart;

    @Setup(Level.Iteration)
    public void reset(WalAppendBenchmark b, Committer c) {
      entries = 0;
      fsyncs = 0;
      reportsSyncs = c.slot == 0;
      syncsAtStart = b.log.stats().syncs();
    }

    void record(RaftLogStore log, int entryCount) {
      entries += entryCount;
      if (reportsSyncs) {
        fsyncs = log.stats().syncs() - syncsAtStart;
      }
    }
  }

  @Benchmark
  public void commit(Committer c, Rates r) {
    c.commitNext();
    r.record(log, groupsPerBatch);
  }

  @Benchmark
  @Threads(4)
  public void commit4Threads(Committer c, Rates r) {
    c.commitNext();
    r.record(log, groupsPerBatch);
  }
}
