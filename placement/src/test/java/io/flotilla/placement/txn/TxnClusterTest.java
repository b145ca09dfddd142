package io.flotilla.placement.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.config.HostPort;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvEntry;
import io.flotilla.multiraft.client.Transaction;
import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.multiraft.client.TxnException;
import io.flotilla.multiraft.client.TxnOptions;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.proto.PrewritePb;
import io.flotilla.multiraft.proto.RangeLookupRequest;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnCommitPb;
import io.flotilla.multiraft.proto.TxnWriteRequest;
import io.flotilla.multiraft.proto.TxnWriteResponse;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.transport.TransportOptions;
import io.flotilla.placement.tso.TimestampOracle;
import io.flotilla.placement.tso.TsoClient;
import io.flotilla.placement.tso.TsoOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
  private final List<Node> nodes = new ArrayList<>();
  private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
  private KvClient kv;
  private TsoClient tso;
  private TxnClient txns;
  private ManagedChannel channel;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private Node start(String name, List<HostPort> join) {
    NodeConfig c = NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join)
        .withRuntime(new RuntimeOptions(20, 10, 3, 100_000))
        .withTransport(TransportOptions.DEFAULTS.withLivenessTimeout(Duration.ofMillis(600)))
        .withTimings(Duration.ofMillis(100), Duration.ofSeconds(1))
        .withHttp(Optional.empty());
    Node n = Node.start(c, line -> log.add(name + ": " + line),
        List.of(TimestampOracle.extension(TsoOptions.DEFAULTS)));
    nodes.add(n);
    return n;
  }

  @BeforeEach
  void startCluster() {
    Node n1 = start("n1", List.of());
    start("n2", List.of(HostPort.parse(n1.address())));
    start("n3", List.of(HostPort.parse(n1.address())));
    channel = ManagedChannelBuilder.forTarget(n1.address()).usePlaintext().build();
    for (String key : List.of("g", "n", "t")) {
      split(key);
    }
    List<String> addresses = nodes.stream().map(Node::address).toList();
    kv = new KvClient(addresses);
    tso = new TsoClient(addresses);
    txns = new TxnClient(kv, tso::getTimestamp, TxnOptions.defaults()
        .withLockTtl(Duration.ofMillis(1500)));
  }

  @AfterEach
  void stop() {
    txns.close();
    tso.close();
    kv.close();
    channel.shutdownNow();
    nodes.forEach(Node::close);
  }

  private void split(String key) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      AdminSplitResponse r = NodeAdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS).split(AdminSplitRequest.newBuilder()
              .setUserKey(ByteString.copyFrom(b(key))).build());
      if (!r.hasError()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("split at " + key + ": " + r.getError() + "; log " + log);
      }
      Thread.onSpinWait();
    }
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
      assertTrue(System.nanoTime() < deadline, "no one-phase commit in 30 s; log " + log);
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
    return nodes.stream().mapToLong(n -> n.runtime().stats().onePhaseCommits()).sum();
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
    try (TxnClient flaky = new TxnClient(kv, () -> {
      if (tsoDown.get()) {
        throw new IllegalStateException("the TSO is unreachable");
      }
      return tso.getTimestamp();
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
    try (TxnClient impatient = new TxnClient(kv, tso::getTimestamp,
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
    long start = tso.getTimestamp();
    prewrite(start, "a", "a", "new-a");
    prewrite(start, "a", "x", "new-x");
    // Its locks (TTL 100 ms) expire; the reader finds them, asks the primary, rolls back.
    Transaction reader = txns.begin();
    assertEquals("old-x", s(reader.get(b("x"))));
    assertEquals("old-a", s(reader.get(b("a"))));
    TxnWriteResponse late = txnWrite("a", TxnCommandPb.newBuilder().setCommit(TxnCommitPb
        .newBuilder().addKeys(ByteString.copyFrom(internal("a"))).setStartTs(start)
        .setCommitTs(tso.getTimestamp())).build());
    assertTrue(late.getTxnError().getAborted(), "the coordinator can no longer commit: " + late);
  }

  /** A coordinator that committed its primary and vanished: a reader rolls it forward. */
  @Test
  void aTransactionAbandonedAfterItsCommitPointIsRolledForwardByAReader() {
    long start = tso.getTimestamp();
    prewrite(start, "a", "a", "new-a");
    prewrite(start, "a", "x", "new-x");
    long commitTs = tso.getTimestamp();
    TxnWriteResponse primary = txnWrite("a", TxnCommandPb.newBuilder().setCommit(TxnCommitPb
        .newBuilder().addKeys(ByteString.copyFrom(internal("a"))).setStartTs(start)
        .setCommitTs(commitTs)).build());
    assertTrue(!primary.hasError() && !primary.hasTxnError(), primary.toString());
    Transaction reader = txns.begin();
    assertEquals("new-x", s(reader.get(b("x"))), "the secondary follows its primary");
    assertArrayEquals(b("new-a"), reader.get(b("a")));
  }

  private static byte[] internal(String userKey) {
    return Keyspace.toInternal(b(userKey));
  }

  private void prewrite(long start, String primary, String key, String value) {
    TxnWriteResponse r = txnWrite(key, TxnCommandPb.newBuilder().setPrewrite(PrewritePb
        .newBuilder().addMutations(MutationPb.newBuilder().setKey(ByteString.copyFrom(
            internal(key))).setValue(ByteString.copyFrom(b(value))))
        .setPrimary(ByteString.copyFrom(internal(primary))).setStartTs(start)
        .setTtlMillis(100)).build());
    assertTrue(!r.hasError() && !r.hasTxnError(), r.toString());
  }

  /** A raw transactional step, sent to the leader of the key's range (asking each node). */
  private TxnWriteResponse txnWrite(String userKey, TxnCommandPb cmd) {
    byte[] key = internal(userKey);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      for (Node n : nodes) {
        ManagedChannel ch = ManagedChannelBuilder.forTarget(n.address()).usePlaintext().build();
        try {
          KvGrpc.KvBlockingStub stub = KvGrpc.newBlockingStub(ch)
              .withDeadlineAfter(10, TimeUnit.SECONDS);
          long range = stub.rangeLookup(RangeLookupRequest.newBuilder()
              .setKey(ByteString.copyFrom(key)).build()).getRanges(0).getRange().getRangeId();
          TxnWriteResponse r = stub.txnWrite(TxnWriteRequest.newBuilder().setRangeId(range)
              .setCommand(cmd).build());
          if (!r.hasError()) {
            return r;
          }
        } finally {
          ch.shutdownNow();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no leader took the command for " + userKey);
      }
    }
  }
}
