package io.flotilla.multiraft.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.kv.RaftHardState;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.TruncatedState;
import io.flotilla.kv.WalBatch;
import io.flotilla.kv.mvcc.KvPair;
import io.flotilla.kv.mvcc.MvccReader;
import io.flotilla.kv.snapshot.RangeSnapshotReceiver;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.PutPb;
import io.flotilla.multiraft.transport.GrpcTransport;
import io.flotilla.multiraft.transport.IncomingSnapshots;
import io.flotilla.multiraft.transport.LocalNetwork;
import io.flotilla.multiraft.transport.LocalTransport;
import io.flotilla.multiraft.transport.Transport;
import io.flotilla.multiraft.transport.TransportOptions;
import io.flotilla.multiraft.transport.TransportStats;
import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ReadOptions;

/**
 * Log compaction and data snapshots between runtimes with real RocksDB stores: the log's start
 * advances under load, restarts recover from compacted logs, and replicas whose entries are
 * gone (down while the leader compacted, or added later) catch up from the leader's data.
 */
class SnapshotClusterTest {
  /** Compact every 20 entries (a tail of 5), so that a few hundred writes compact often. */
  private static final RuntimeOptions OPTIONS = new RuntimeOptions(10, 10, 3, 100_000)
      .withLogCompaction(20, 64L << 20);
  private static final long RANGE = 1;

  @TempDir
  Path dir;

  private final LocalNetwork net = new LocalNetwork();
  private final Map<Long, Store> stores = new TreeMap<>();
  private final Map<Long, RaftLogStore> logs = new TreeMap<>();
  private final Map<Long, StoreRuntime> nodes = new TreeMap<>();
  private final Map<Long, Transport> transports = new TreeMap<>();
  private Function<Long, Transport> transportFactory;

  @AfterEach
  void stop() {
    new ArrayList<>(nodes.keySet()).forEach(this::stopNode);
    net.close();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void compactionAdvancesTheLogStartAndARestartRecoversEverything() {
    startLocalCluster(3);
    writeKeys(0, 200);
    for (long id : List.of(1L, 2L, 3L)) {
      await("node " + id + " compacted its log", () -> logs.get(id).group(RANGE).firstIndex()
          > 150);
    }
    awaitSameData(List.of(1L, 2L, 3L));

    for (long id : List.of(1L, 2L, 3L)) {
      stopNode(id);
    }
    for (long id : List.of(1L, 2L, 3L)) {
      startNode(id, localTransport(id, receiver(id)));
    }
    StoreRuntime leader = nodes.get(awaitLeader());
    for (int i = 0; i < 200; i += 17) {
      assertArrayEquals(b("v" + i), join(leader.get(RANGE, b("k" + i))), "key k" + i);
    }
    writeKeys(200, 260);
    awaitSameData(List.of(1L, 2L, 3L));
    assertEquals(260, scan(1).size());
  }

  @Test
  void aFollowerThatMissedCompactedEntriesCatchesUpFromTheLeadersData() {
    startLocalCluster(3);
    writeKeys(0, 10);
    long leaderId = awaitLeader();
    long down = leaderId == 3 ? 2 : 3;
    awaitSameData(List.of(1L, 2L, 3L));
    long downAt = logs.get(down).group(RANGE).lastIndex();
    stopNode(down);

    writeKeys(10, 300);
    awaitCompactedPast(downAt);
    startNode(down, localTransport(down, receiver(down)));
    awaitSameData(List.of(1L, 2L, 3L));
    await("node " + down + " caught up from a snapshot",
        () -> snapshotStats(TransportStats::snapshotsSent) >= 1);
    await("the runtimes count the compactions and the installed snapshot", () ->
        nodes.get(down).stats().snapshotsInstalled() >= 1
            && nodes.get(leaderId).stats().compactions() >= 1);
    assertEquals(300, scan(down).size());
    writeKeys(300, 320);
    awaitSameData(List.of(1L, 2L, 3L));
  }

  @Test
  void aReplicaAddedAfterCompactionReceivesTheDataAsLearnerThenVoter() {
    startLocalCluster(3);
    writeKeys(0, 150);
    awaitCompactedPast(100);
    startNode(4, localTransport(4, receiver(4)));

    changeMembers(ConfChange.addLearner(4));
    awaitSameData(List.of(1L, 2L, 3L, 4L));
    changeMembers(ConfChange.addVoter(4));
    writeKeys(150, 170);
    awaitSameData(List.of(1L, 2L, 3L, 4L));
    assertEquals(170, scan(4).size());
    RangeInfo onFour = info(4);
    assertTrue(onFour.descriptor().members().voters().contains(4L), onFour.toString());
    assertEquals(0, onFour.descriptor().startKey().length, "span learned from the snapshot");
  }

  @Test
  void aRefusedSnapshotIsReportedFailedAndRetried() {
    startLocalCluster(3);
    writeKeys(0, 10);
    long leaderId = awaitLeader();
    long down = leaderId == 3 ? 2 : 3;
    awaitSameData(List.of(1L, 2L, 3L));
    long downAt = logs.get(down).group(RANGE).lastIndex();
    stopNode(down);
    writeKeys(10, 200);
    awaitCompactedPast(downAt);

    AtomicInteger refusals = new AtomicInteger();
    IncomingSnapshots accepting = receiver(down);
    IncomingSnapshots refusingTwice = id -> {
      if (refusals.incrementAndGet() <= 2) {
        throw new IllegalStateException("test: refusing snapshot " + id);
      }
      return accepting.begin(id);
    };
    startNode(down, localTransport(down, refusingTwice));
    awaitSameData(List.of(1L, 2L, 3L));
    assertTrue(refusals.get() >= 3, "refused twice, then accepted: " + refusals);
    // The sender counts a transfer once it has the receiver's answer, maybe after the catch-up.
    await("the refusals were reported as failures",
        () -> snapshotStats(TransportStats::snapshotsFailed) >= 2);
    await("then one was sent", () -> snapshotStats(TransportStats::snapshotsSent) >= 1);
  }

  @Test
  void aCrashBetweenIngestAndTheLogWriteIsFinishedAtRestart() {
    startLocalCluster(3);
    writeKeys(0, 10);
    long leaderId = awaitLeader();
    long down = leaderId == 3 ? 2 : 3;
    awaitSameData(List.of(1L, 2L, 3L));
    TruncatedState before = logs.get(down).group(RANGE).truncatedState();
    RaftHardState hardBefore = logs.get(down).group(RANGE).hardState();
    long downAt = logs.get(down).group(RANGE).lastIndex();
    stopNode(down);
    writeKeys(10, 200);
    awaitCompactedPast(downAt);
    startNode(down, localTransport(down, receiver(down)));
    awaitSameData(List.of(1L, 2L, 3L));
    stopNode(down);

    // What a crash leaves if the ingest (data and apply state) reached the disk but the
    // cycle's WAL batch with the snapshot's truncated state and hard state did not: the log as
    // it was before (its old entries are gone, which only shortens it).
    Store s = Store.open(dir.resolve("n" + down), StoreOptions.DEFAULTS);
    try {
      new RaftLogStore(s).commit(new WalBatch().installSnapshot(RANGE, before)
          .setHardState(RANGE, new RaftHardState(hardBefore.term(), hardBefore.vote(),
              before.index())));
    } finally {
      s.close();
    }

    startNode(down, localTransport(down, receiver(down)));
    assertTrue(logs.get(down).group(RANGE).firstIndex() > downAt + 1,
        "the log restarts after the installed snapshot");
    assertEquals(200, scan(down).size(), "the ingested data, as it was");
    writeKeys(200, 230);
    awaitSameData(List.of(1L, 2L, 3L));
  }

  @Test
  void snapshotsStreamOverGrpcUnderALowRateLimit() {
    Map<Long, String> addresses = new ConcurrentHashMap<>();
    // 64 KiB/s: the snapshot below (a few hundred KiB) waits on the limiter for seconds.
    TransportOptions options = TransportOptions.DEFAULTS
        .withLivenessTimeout(Duration.ofSeconds(1))
        .withReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(200))
        .withSnapshotBytesPerSecond(64 << 10);
    transportFactory = id -> new GrpcTransport(id, 0xf1075L, "127.0.0.1:0",
        n -> Optional.ofNullable(addresses.get(n)), receiver(id), options);
    for (long id = 1; id <= 3; id++) {
      startNode(id, transportFactory.apply(id));
      addresses.put(id, "127.0.0.1:" + ((GrpcTransport) transports.get(id)).port());
    }
    createRange(3);
    SplittableRandom random = new SplittableRandom(42);
    // Random values, so that the snapshot's compressed files stay large.
    writeKeys(0, 300, i -> {
      byte[] raw = new byte[750];
      random.nextBytes(raw);
      return Base64.getEncoder().encodeToString(raw);
    });
    awaitCompactedPast(100);
    // A new node: nothing but a snapshot can bring it the entries up to the log's start.
    startNode(4, transportFactory.apply(4L));
    addresses.put(4L, "127.0.0.1:" + ((GrpcTransport) transports.get(4L)).port());
    changeMembers(ConfChange.addLearner(4));
    awaitSameData(List.of(1L, 2L, 3L, 4L));
    await("a snapshot was sent", () -> snapshotStats(TransportStats::snapshotsSent) >= 1);
    await("more than a second's worth of the rate went out",
        () -> snapshotStats(TransportStats::snapshotBytesSent) > 64 << 10);
  }

  // ------------------------------------------------------------------ cluster

  private void startLocalCluster(int n) {
    for (long id = 1; id <= n; id++) {
      startNode(id, localTransport(id, receiver(id)));
    }
    createRange(n);
  }

  private void createRange(int n) {
    Long[] ids = new Long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = (long) (i + 1);
    }
    RangeDescriptor whole = new RangeDescriptor(RANGE, new byte[0], new byte[0], 0,
        ConfState.ofVoters(ids));
    for (long id : ids) {
      join(nodes.get(id).createRange(whole));
    }
  }

  private Transport localTransport(long id, IncomingSnapshots incoming) {
    return net.join(id, incoming, 100_000);
  }

  /** The store's receiver of node {@code id}; the store is opened by then. */
  private IncomingSnapshots receiver(long id) {
    return snapshotId -> new RangeSnapshotReceiver(stores.get(id)).begin(snapshotId);
  }

  private void startNode(long id, Transport transport) {
    Path p = dir.resolve("n" + id);
    Store s = Files.exists(p) ? Store.open(p, StoreOptions.DEFAULTS)
        : Store.create(p, new StoreIdentity(9, id, Store.FORMAT_VERSION), StoreOptions.DEFAULTS);
    stores.put(id, s);
    RaftLogStore l = new RaftLogStore(s);
    logs.put(id, l);
    transports.put(id, transport);
    StoreRuntime rt = new StoreRuntime(id, s, l, transport, OPTIONS, System::currentTimeMillis);
    nodes.put(id, rt);
    rt.start();
  }

  private void stopNode(long id) {
    nodes.remove(id).close();
    transports.remove(id);
    logs.remove(id);
    stores.remove(id).close();
  }

  // ------------------------------------------------------------------ helpers

  private void writeKeys(int from, int to) {
    writeKeys(from, to, i -> "v" + i);
  }

  /**
   * Writes keys k{from}..k{to-1} one after the other, so each is its own log entry (writes
   * proposed together share one) and the log grows by one entry per key. Puts are idempotent,
   * so a write a leader change lost is simply written again through the next leader.
   */
  private void writeKeys(int from, int to, Function<Integer, String> value) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (int i = from; i < to; i++) {
      while (true) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not write k" + i);
        }
        StoreRuntime leader = nodes.get(awaitLeader());
        try {
          if (join(leader.propose(RANGE, b("k" + i), put("k" + i, value.apply(i)))).ok()) {
            break;
          }
        } catch (RuntimeException ex) {
          // Not the leader any more, or the entry was dropped: again.
        }
      }
    }
  }

  /** Proposes a membership change through the current leader until one takes it. */
  private void changeMembers(ConfChange change) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        assertTrue(join(nodes.get(awaitLeader()).changeMembers(RANGE, change)).ok());
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not apply " + change, e);
        }
      }
    }
  }

  private long awaitLeader() {
    long[] leader = new long[1];
    await("a leader of range " + RANGE, () -> {
      for (StoreRuntime rt : nodes.values()) {
        RangeInfo ri = infoOrNull(rt.nodeId());
        if (ri != null && ri.leader() == rt.nodeId()) {
          leader[0] = rt.nodeId();
          return true;
        }
      }
      return false;
    });
    return leader[0];
  }

  /**
   * Waits until the nodes hold the same data at the same applied index. (Published applied
   * indexes lag the stores by up to a tick, so equal data is part of the condition.)
   */
  private void awaitSameData(List<Long> ids) {
    await("nodes " + ids + " hold the same data at the same applied index", () -> {
      RangeInfo first = infoOrNull(ids.get(0));
      String expected = render(scan(ids.get(0)));
      for (long id : ids) {
        RangeInfo ri = infoOrNull(id);
        if (first == null || ri == null || ri.applied() != first.applied()
            || !expected.equals(render(scan(id)))) {
          return false;
        }
      }
      return true;
    });
  }

  /** Waits until every live node's log starts after {@code index}: a node that holds the log
   * only up to it can catch up from a snapshot only, whoever leads. */
  private void awaitCompactedPast(long index) {
    await("every live node compacted its log past " + index, () -> logs.values().stream()
        .allMatch(l -> l.group(RANGE).firstIndex() > index + 1));
  }

  /** A snapshot counter summed over the live nodes' transports. */
  private long snapshotStats(java.util.function.ToLongFunction<TransportStats> counter) {
    long sum = 0;
    for (Transport t : transports.values()) {
      sum += counter.applyAsLong(t instanceof GrpcTransport g ? g.stats()
          : ((LocalTransport) t).stats());
    }
    return sum;
  }

  /** Every key and value this node's store holds (its own replica, not a Raft read). */
  private List<KvPair> scan(long id) {
    try (ReadOptions ro = new ReadOptions()) {
      return new MvccReader(stores.get(id), ro).scan(new byte[0], new byte[0], Long.MAX_VALUE,
          Integer.MAX_VALUE, false);
    }
  }

  private static String render(List<KvPair> pairs) {
    return pairs.stream().map(p -> new String(p.key(), StandardCharsets.UTF_8) + "="
        + new String(p.value(), StandardCharsets.UTF_8)).collect(Collectors.joining(","));
  }

  private RangeInfo info(long id) {
    RangeInfo ri = infoOrNull(id);
    if (ri == null) {
      throw new AssertionError("node " + id + " has no replica of range " + RANGE);
    }
    return ri;
  }

  private RangeInfo infoOrNull(long id) {
    StoreRuntime rt = nodes.get(id);
    if (rt == null) {
      return null;
    }
    for (RangeInfo ri : rt.ranges()) {
      if (ri.descriptor().rangeId() == RANGE) {
        return ri;
      }
    }
    return null;
  }

  private void await(String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder state = new StringBuilder();
        for (StoreRuntime n : nodes.values()) {
          state.append("\n  node ").append(n.nodeId()).append(": ").append(n.stats());
          for (RangeInfo ri : n.ranges()) {
            state.append("\n    ").append(ri);
          }
          RaftLogStore l = logs.get(n.nodeId());
          Transport t = transports.get(n.nodeId());
          state.append("\n    log starts at ").append(l.group(RANGE).firstIndex())
              .append(", ").append(t instanceof GrpcTransport g ? g.stats()
                  : ((LocalTransport) t).stats());
        }
        throw new AssertionError("timed out waiting until " + what + state);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static CommandPb put(String k, String v) {
    return CommandPb.newBuilder().addPuts(PutPb.newBuilder().setKey(ByteString.copyFrom(b(k)))
        .setValue(ByteString.copyFrom(b(v)))).build();
  }
}
