package io.flotilla.placement.txn;

import static io.flotilla.placement.txn.TxnCluster.b;
import static io.flotilla.placement.txn.TxnCluster.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.client.KvEntry;
import io.flotilla.multiraft.client.Transaction;
import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.multiraft.client.TxnException;
import io.flotilla.multiraft.client.TxnOptions;
import io.flotilla.multiraft.proto.TxnWriteResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions on three real nodes over gRPC, with the real timestamp oracle, on a keyspace
 * split into four user ranges: atomic commits across ranges, snapshot reads, conflicts, the
 * retry helper, and transactions whose coordinator vanished before or after its commit point.
 */
class TxnClusterTest {
  @TempDir
  Path dir;
  private TxnCluster cluster;
  private TxnClient txns;

  @BeforeEach
  void startCluster() {
    cluster = TxnCluster.start(dir, "g", "n", "t");
    txns = cluster.client(TxnOptions.defaults().withLockTtl(Duration.ofMillis(1500)));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aCommitAcrossRangesIsAllOrNothingToSnapshotReaders() {
    Transaction before = txns.begin();
    Transaction t = txns.begin();
    for (String k : List.of("a", "h", "p", "x")) {
      t.put(b(k), b("v-" + k));
    }
    assertEquals("v-h", s(t.get(b("h"))), "a transaction reads its own writes");
    t.commit();
    assertTrue(t.commitTs() > t.startTs());
    for (String k : List.of("a", "h", "p", "x")) {
      assertNull(before.get(b(k)), "a snapshot from before the commit sees none of it");
    }
    Transaction after = txns.begin();
    List<KvEntry> all = after.scan(b("a"), null, 100);
    assertEquals(List.of("a", "h", "p", "x"), all.stream().map(e -> s(e.key())).toList());
    assertEquals("v-p", s(after.get(b("p"))));
  }

  @Test
  void aTransactionInOneRangeCommitsInOnePhaseOnceItsLeaderSyncedWithTheTso() {
    long before = onePhaseCommits();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int i = 0;
    while (onePhaseCommits() == before) {
      assertTrue(System.nanoTime() < deadline, "no one-phase commit in 30 s; log "
          + cluster.log());
      String n = String.valueOf(i++);
      txns.run(t -> {
        t.put(b("b" + n), b("1"));
        t.put(b("c" + n), b("2"));
        return null;
      });
    }
    Transaction reader = txns.begin();
    for (int j = 0; j < i; j++) {
      assertEquals("1", s(reader.get(b("b" + j))));
      assertEquals("2", s(reader.get(b("c" + j))));
    }
  }

  private long onePhaseCommits() {
    return cluster.nodes().stream().mapToLong(n -> n.runtime().stats().onePhaseCommits())
        .sum();
  }

  @Test
  void aScanMergesTheTransactionsOwnWritesAndDeletes() {
    txns.run(t -> {
      for (String k : List.of("a", "b", "c", "h", "i")) {
        t.put(b(k), b("old"));
      }
      return null;
    });
    Transaction t = txns.begin();
    t.delete(b("b"));
    t.put(b("c"), b("new"));
    t.put(b("d"), b("added"));
    List<String> seen = t.scan(b("a"), b("i"), 4).stream()
        .map(e -> s(e.key()) + "=" + s(e.value())).toList();
    assertEquals(List.of("a=old", "c=new", "d=added", "h=old"), seen);
  }

  @Test
  void theSecondOfTwoWritersOfAKeyConflictsAndWritesNothing() {
    Transaction first = txns.begin();
    Transaction second = txns.begin();
    first.put(b("k"), b("first"));
    second.put(b("k"), b("second"));
    second.put(b("z"), b("second"));
    first.commit();
    TxnException e = assertThrows(TxnException.class, second::commit);
    assertEquals(TxnException.Kind.CONFLICT, e.kind(), e.getMessage());
    assertTrue(e.retryable());
    Transaction reader = txns.begin();
    assertEquals("first", s(reader.get(b("k"))));
    assertNull(reader.get(b("z")), "the loser wrote none of its keys");
  }

  @Test
  void concurrentIncrementsThroughTheRetryHelperLoseNoUpdate() throws Exception {
    txns.run(t -> {
      t.put(b("counter"), b("0"));
      t.put(b("total"), b("0"));
      return null;
    });
    int threads = 4;
    int each = 15;
    AtomicInteger failures = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread w = new Thread(() -> {
        for (int j = 0; j < each; j++) {
          try {
            txns.run(t -> {
              int c = Integer.parseInt(s(t.get(b("counter"))));
              int total = Integer.parseInt(s(t.get(b("total"))));
              t.put(b("counter"), b(String.valueOf(c + 1)));
              t.put(b("total"), b(String.valueOf(total + 1)));
              return null;
            });
          } catch (TxnException e) {
            failures.incrementAndGet();
          }
        }
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join(120_000);
    }
    Transaction reader = txns.begin();
    int counter = Integer.parseInt(s(reader.get(b("counter"))));
    assertEquals(threads * each - failures.get(), counter, "every committed increment counts");
    assertEquals(String.valueOf(counter), s(reader.get(b("total"))),
        "both keys (in two ranges) moved together");
  }

  /**
   * The TSO becomes unreachable between the prewrites and the commit timestamp: the commit
   * fails as UNAVAILABLE (retryable, nothing written) and takes its locks away with it, rather
   * than escaping as the timestamp source's own exception and leaving the locks to expire.
   */
  @Test
  void aCommitWithoutACommitTimestampIsUnavailableAndLeavesNoLocks() {
    java.util.concurrent.atomic.AtomicBoolean tsoDown =
        new java.util.concurrent.atomic.AtomicBoolean();
    try (TxnClient flaky = new TxnClient(cluster.kv, () -> {
      if (tsoDown.get()) {
        throw new IllegalStateException("the TSO is unreachable");
      }
      return cluster.tso.getTimestamp();
    }, TxnOptions.defaults().withLockTtl(Duration.ofMinutes(1)))) {
      Transaction t = flaky.begin();
      t.put(b("a"), b("lost-a"));
      t.put(b("x"), b("lost-x"));
      tsoDown.set(true);
      TxnException e = assertThrows(TxnException.class, t::commit);
      assertEquals(TxnException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
      assertTrue(e.retryable());
    }
    // Its locks would live a minute: a reader that waits for no lock finds none.
    try (TxnClient impatient = new TxnClient(cluster.kv, cluster.tso::getTimestamp,
        TxnOptions.defaults().withLockWait(Duration.ZERO))) {
      Transaction reader = impatient.begin();
      assertNull(reader.get(b("a")));
      assertNull(reader.get(b("x")));
    }
  }

  /** A coordinator that prewrote both keys and vanished: a reader rolls it back. */
  @Test
  void aTransactionAbandonedBeforeItsCommitPointIsRolledBackByAReader() {
    txns.run(t -> {
      t.put(b("a"), b("old-a"));
      t.put(b("x"), b("old-x"));
      return null;
    });
    // Settles "x", committing in the background: the prewrite by hand must not meet its lock.
    assertEquals("old-x", s(txns.begin().get(b("x"))));
    long start = cluster.ts();
    prewrite(start, "a", "a", "new-a");
    prewrite(start, "a", "x", "new-x");
    // Its locks (TTL 100 ms) expire; the reader finds them, asks the primary, rolls back.
    Transaction reader = txns.begin();
    assertEquals("old-x", s(reader.get(b("x"))));
    assertEquals("old-a", s(reader.get(b("a"))));
    TxnWriteResponse late = cluster.commit(start, cluster.ts(), "a");
    assertTrue(late.getTxnError().getAborted(), "the coordinator can no longer commit: " + late);
  }

  /** A coordinator that committed its primary and vanished: a reader rolls it forward. */
  @Test
  void aTransactionAbandonedAfterItsCommitPointIsRolledForwardByAReader() {
    long start = cluster.ts();
    prewrite(start, "a", "a", "new-a");
    prewrite(start, "a", "x", "new-x");
    long commitTs = cluster.ts();
    TxnWriteResponse primary = cluster.commit(start, commitTs, "a");
    assertTrue(TxnCluster.ok(primary), primary.toString());
    Transaction reader = txns.begin();
    assertEquals("new-x", s(reader.get(b("x"))), "the secondary follows its primary");
    assertArrayEquals(b("new-a"), reader.get(b("a")));
  }

  private void prewrite(long start, String primary, String key, String value) {
    TxnWriteResponse r = cluster.prewrite(start, primary, 100, Map.of(key, value));
    assertTrue(TxnCluster.ok(r), r.toString());
  }
}
