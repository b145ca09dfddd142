package io.flotilla.bench;

import io.flotilla.raft.ProposalId;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of the Raft core alone: proposals per second through a 3-member group whose members
 * live in one thread and talk through memory ({@link InMemoryRaftGroup}: MemoryStorage, messages
 * handed straight to {@code step()}, no I/O, no clock).
 *
 * <p>Every invocation makes {@value #PROPOSALS_PER_INVOCATION} proposals on the leader, in rounds
 * of {@code batchSize}: propose {@code batchSize} commands, then drive the group (one Ready per
 * member per cycle: persist, send, apply, advance) until the last of them is committed and
 * applied on the leader. With {@code batchSize = 1} every proposal pays for its own round trips
 * (about three cycles); with {@code 64} they share one Ready, one append per follower and one
 * ack each: the batching a Multi-Raft runtime gets by collecting proposals between Readies.
 * {@link OperationsPerInvocation} makes the score proposals/s in both cases.
 *
 * <p>The group is built and its leader elected once per trial; storages are compacted to the
 * last {@value #KEEP_ENTRIES} entries as the log grows, so a long run has a bounded heap.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar RaftCoreBenchmark -f 1 -wi 3 -w 2s -i 5
 * -r 2s}; add {@code -prof gc} for allocation per proposal.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RaftCoreBenchmark {
  /** Proposals per benchmark invocation; every batch size must divide it. */
  static final int PROPOSALS_PER_INVOCATION = 64;
  /** Entries each storage keeps when compacting. */
  static final int KEEP_ENTRIES = 10_000;
  private static final int GROUP_SIZE = 3;
  private static final long LEADER = 1;

  /** Bytes of each proposed command. */
  @Param({"16", "256"})
  public int payloadSize;

  /** Proposals made before the group is driven until they are applied on the leader. */
  @Param({"1", "64"})
  public int batchSize;

  private InMemoryRaftGroup group;
  private byte[] payload;
  private long proposalsAtStart;

  @Setup(Level.Trial)
  public void setUp() {
    if (batchSize < 1 || PROPOSALS_PER_INVOCATION % batchSize != 0) {
      throw new IllegalArgumentException("batchSize must divide " + PROPOSALS_PER_INVOCATION
          + ", got " + batchSize);
    }
    payload = new byte[payloadSize];
    new SplittableRandom(42).nextBytes(payload);
    group = new InMemoryRaftGroup(GROUP_SIZE, 7, KEEP_ENTRIES);
    group.electLeader(LEADER);
    proposalsAtStart = group.leaderApplied();
  }

  @Benchmark
  @OperationsPerInvocation(PROPOSALS_PER_INVOCATION)
  public void propose(Blackhole bh) {
    InMemoryRaftGroup g = group;
    byte[] data = payload;
    int batch = batchSize;
    for (int done = 0; done < PROPOSALS_PER_INVOCATION; done += batch) {
      ProposalId last = null;
      for (int i = 0; i < batch; i++) {
        last = g.propose(data);
        bh.consume(last);
      }
      bh.consume(g.driveUntilApplied(last));
    }
    // The leader's state machine: a hash over every applied entry.
    bh.consume(g.leaderChecksum());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    // Not measured: prove the run did real work and every member applied the same log, and that
    // compaction bounded the storages.
    group.verifyConsistent();
    for (long id = 1; id <= GROUP_SIZE; id++) {
      long held = group.storedEntries(id);
      if (held > 2L * KEEP_ENTRIES + PROPOSALS_PER_INVOCATION) {
        throw new IllegalStateException("member " + id + " storage holds " + held
            + " entries: compaction did not keep up");
      }
    }
    if (group.leaderApplied() - proposalsAtStart <= 0) {
      throw new IllegalStateException("no proposal was applied");
    }
  }
}
