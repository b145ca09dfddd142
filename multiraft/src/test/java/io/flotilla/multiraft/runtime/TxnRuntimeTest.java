package io.flotilla.multiraft.runtime;

import static io.flotilla.multiraft.runtime.LocalRuntimes.join;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.kv.mvcc.MvccException;
import io.flotilla.multiraft.proto.CheckTxnStatusPb;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.OnePhaseCommitPb;
import io.flotilla.multiraft.proto.PrewritePb;
import io.flotilla.multiraft.proto.ResolveLocksPb;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnCommitPb;
import io.flotilla.multiraft.proto.TxnResultPb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions on ranges of three in-process store runtimes: Percolator's steps through Raft,
 * snapshot reads that meet locks, and the one-phase gate.
 */
class TxnRuntimeTest {
  @TempDir
  Path dir;
  private LocalRuntimes c;
  private long right;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A TSO-shaped timestamp: physical milliseconds above 18 logical bits. */
  private static long ts(long millis) {
    return millis << 18;
  }

  @BeforeEach
  void start() {
    c = new LocalRuntimes(dir, 3);
    assertTrue(join(c.leader(1).split(1, b("m"))).ok());
    right = c.rangeStartingAt(b("m"));
  }

  @AfterEach
  void stop() {
    c.close();
  }

  private ApplyResult write(long range, TxnCommandPb cmd) {
    return join(c.leader(range).txnWrite(range, cmd));
  }

  private static MutationPb put(String k, String v) {
    return MutationPb.newBuilder().setKey(ByteString.copyFrom(b(k)))
        .setValue(ByteString.copyFrom(b(v))).build();
  }

  private static TxnCommandPb prewrite(long startTs, String primary, MutationPb... ms) {
    return TxnCommandPb.newBuilder().setPrewrite(PrewritePb.newBuilder()
        .addAllMutations(java.util.List.of(ms)).setPrimary(ByteString.copyFrom(b(primary)))
        .setStartTs(startTs).setTtlMillis(3_000)).build();
  }

  private static TxnCommandPb commit(long startTs, long commitTs, String key) {
    return TxnCommandPb.newBuilder().setCommit(TxnCommitPb.newBuilder()
        .addKeys(ByteString.copyFrom(b(key))).setStartTs(startTs).setCommitTs(commitTs)).build();
  }

  private static TxnCommandPb onePhase(long startTs, long commitTs, MutationPb... ms) {
    return TxnCommandPb.newBuilder().setOnePhase(OnePhaseCommitPb.newBuilder()
        .addAllMutations(java.util.List.of(ms)).setStartTs(startTs).setCommitTs(commitTs))
        .build();
  }

  private String get(long range, String key, long readTs) {
    byte[] v = join(c.leader(range).txnGet(range, b(key), readTs));
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  @Test
  void aTwoRangeCommitIsHiddenByItsLocksAndItsSecondaryResolvesFromThePrimary() {
    long start = ts(1_000);
    long commitTs = ts(1_001);
    assertTrue(write(1, prewrite(start, "a", put("a", "1"))).ok());
    assertTrue(write(right, prewrite(start, "a", put("x", "2"))).ok());
    assertNull(get(1, "a", start - 1), "a read before the transaction began is not blocked");
    MvccException.KeyLocked locked = assertThrows(MvccException.KeyLocked.class,
        () -> get(1, "a", commitTs + 5));
    assertArrayEquals(b("a"), locked.lock().primary());

    assertTrue(write(1, commit(start, commitTs, "a")).ok(), "the commit point: the primary");
    assertEquals("1", get(1, "a", commitTs));
    locked = assertThrows(MvccException.KeyLocked.class, () -> get(right, "x", commitTs + 5));
    assertArrayEquals(b("a"), locked.lock().primary(), "the secondary names its primary");

    ApplyResult status = write(1, TxnCommandPb.newBuilder().setCheckStatus(CheckTxnStatusPb
        .newBuilder().setPrimary(ByteString.copyFrom(b("a"))).setStartTs(start)
        .setCurrentTs(ts(1_002))).build());
    long committedAt = parse(status).getStatus().getCommittedTs();
    assertEquals(commitTs, committedAt);
    assertTrue(write(right, TxnCommandPb.newBuilder().setResolve(ResolveLocksPb.newBuilder()
        .addKeys(ByteString.copyFrom(b("x"))).setStartTs(start).setCommitTs(committedAt))
        .build()).ok());
    assertEquals("2", get(right, "x", commitTs));
    assertNull(get(right, "x", commitTs - 1));
  }

  @Test
  void conflictsAreRefusedWithNothingWritten() {
    assertTrue(write(right, prewrite(ts(10), "s", put("s", "first"))).ok());
    assertTrue(write(right, commit(ts(10), ts(20), "s")).ok());
    ApplyResult lost = write(right, prewrite(ts(15), "s", put("s", "late")));
    assertInstanceOf(MvccException.WriteConflict.class, lost.error());
    assertTrue(write(right, prewrite(ts(25), "s", put("s", "second"))).ok());
    ApplyResult blocked = write(right, prewrite(ts(30), "s", put("s", "third")));
    assertInstanceOf(MvccException.KeyLocked.class, blocked.error());
    assertEquals("first", get(right, "s", ts(24)));
  }

  @Test
  void aCommandWithAKeyOutsideTheRangeIsRefusedWhole() {
    ApplyResult r = write(1, prewrite(ts(10), "a", put("a", "1"), put("z", "2")));
    assertInstanceOf(RangeException.KeyOutsideRange.class, r.error());
    assertNull(get(1, "a", ts(100)), "the key inside was not locked either");
  }

  @Test
  void anExpiredPrimaryIsRolledBackAndTheTransactionCanNoLongerPrewrite() {
    long start = ts(1_000);
    assertTrue(write(right, prewrite(start, "p", put("p", "v"))).ok());
    ApplyResult status = write(right, TxnCommandPb.newBuilder().setCheckStatus(CheckTxnStatusPb
        .newBuilder().setPrimary(ByteString.copyFrom(b("p"))).setStartTs(start)
        .setCurrentTs(ts(1_000 + 3_001))).build());
    assertTrue(parse(status).getStatus().getRolledBack(), "its TTL of 3 s ran out");
    assertInstanceOf(MvccException.TxnAborted.class,
        write(right, prewrite(start, "p", put("p", "v"))).error());
  }

  @Test
  void aOnePhaseCommitWaitsForATsoSyncAndNeverLandsBelowAServedRead() {
    assertInstanceOf(OnePhaseRefused.class,
        write(right, onePhase(ts(5), ts(6), put("q", "no tso"))).error(),
        "without a TSO a leader cannot know earlier leaders' reads");
    AtomicLong tso = new AtomicLong(ts(2_000));
    c.nodes.values().forEach(n -> n.useTimestamps(
        () -> CompletableFuture.completedFuture(tso.incrementAndGet())));
    c.await("the leader synced with the TSO", () ->
        write(right, onePhase(ts(3_000), ts(3_001), put("q", "1"))).ok());
    assertEquals("1", get(right, "q", ts(3_001)));

    assertNull(get(right, "r", ts(5_000)));
    assertInstanceOf(OnePhaseRefused.class,
        write(right, onePhase(ts(4_000), ts(4_001), put("r", "under the read"))).error(),
        "a read at 5,000 saw no r: a commit at 4,001 would change that");
    assertNull(get(right, "r", ts(5_000)));
    assertTrue(write(right, onePhase(ts(4_000), ts(5_001), put("r", "above"))).ok());
    assertEquals("above", get(right, "r", ts(5_001)));
  }

  /**
   * A snapshot read that reaches a follower: were it served there (its read index asked of the
   * leader), the leader's one-phase gate would not know of it and could admit a commit below
   * it, changing what the snapshot had shown. The bank test lost a transfer this way under
   * leader moves.
   */
  @Test
  void aSnapshotReadThatReachedAFollowerIsNeverChangedByAOnePhaseCommitBelowIt() {
    AtomicLong tso = new AtomicLong(ts(2_000));
    c.nodes.values().forEach(n -> n.useTimestamps(
        () -> CompletableFuture.completedFuture(tso.incrementAndGet())));
    c.await("the leader synced with the TSO", () ->
        write(right, onePhase(ts(3_000), ts(3_001), put("q", "1"))).ok());
    long leader = c.leaderOf(right);
    StoreRuntime follower = c.nodes.entrySet().stream().filter(e -> e.getKey() != leader)
        .findFirst().orElseThrow().getValue();
    String seen;
    try {
      byte[] v = join(follower.txnGet(right, b("t"), ts(5_000)));
      seen = v == null ? null : new String(v, StandardCharsets.UTF_8);
    } catch (RangeException.NotLeader e) {
      seen = get(right, "t", ts(5_000)); // where a client goes next
    }
    write(right, onePhase(ts(4_000), ts(4_001), put("t", "below the read")));
    assertEquals(seen, get(right, "t", ts(5_000)), "a snapshot never changes");
  }

  private static TxnResultPb parse(ApplyResult r) {
    assertNull(r.error());
    try {
      return TxnResultPb.parseFrom(r.current());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
