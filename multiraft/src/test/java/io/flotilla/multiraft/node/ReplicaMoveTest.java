package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.config.HostPort;
import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.mvcc.MvccKeys;
import io.flotilla.kv.mvcc.MvccReader;
import io.flotilla.kv.snapshot.KeySpan;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.ChangeReplicasRequest;
import io.flotilla.multiraft.proto.ChangeReplicasResponse;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.MoveReplicaRequest;
import io.flotilla.multiraft.proto.MoveReplicaResponse;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.transport.TransportOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * Moving and removing replicas in a four-node cluster ({@link Node}s over real gRPC on
 * loopback, real RocksDB): the user range (2) starts on nodes 1-3 and moves from node 1 to
 * node 4 while a client writes and reads; a node that was down while it was removed collects
 * its replica once it is back; a removal that would lose the quorum is refused.
 */
class ReplicaMoveTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long USER_RANGE = 2;

  @TempDir
  Path dir;

  private final Map<Long, Node> nodes = new TreeMap<>();
  private final List<Node> started = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
  private KvClient client;

  private NodeConfig config(String name, List<HostPort> join) {
    return NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join)
        .withRuntime(new RuntimeOptions(20, 10, 3, 100_000))
        .withTransport(TransportOptions.DEFAULTS.withLivenessTimeout(Duration.ofMillis(400))
            .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)))
        .withTimings(Duration.ofMillis(100), Duration.ofSeconds(1))
        .withHttp(Optional.empty());
  }

  private Node start(String name, List<HostPort> join) {
    Node n = Node.start(config(name, join), line -> log.add(name + ": " + line));
    nodes.put(n.nodeId(), n);
    started.add(n);
    return n;
  }

  @BeforeEach
  void cluster() {
    Node n1 = start("n1", List.of());
    start("n2", List.of(HostPort.parse(n1.address())));
    start("n3", List.of(HostPort.parse(n1.address())));
    await("both ranges have voters {1,2,3} everywhere", () -> nodes.values().stream()
        .allMatch(n -> n.ranges().size() == 2 && n.ranges().stream().allMatch(ri ->
            ri.descriptor().members().voters().equals(Set.of(1L, 2L, 3L))
                && ri.descriptor().members().learners().isEmpty())));
    Node n4 = start("n4", List.of(HostPort.parse(n1.address())));
    assertEquals(4, n4.nodeId());
    await("every node sees node 4 live", () -> nodes.values().stream()
        .allMatch(n -> n.liveNodes().contains(4L)));
    client = new KvClient(List.of(n1.address(), nodes.get(2L).address()),
        KvClientOptions.defaults().withTotalTimeout(Duration.ofSeconds(30)));
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    started.forEach(Node::close);
    channels.values().forEach(ManagedChannel::shutdownNow);
  }

  @ParameterizedTest(name = "node 1 leads the range: {0}")
  @ValueSource(booleans = {true, false})
  void aMoveUnderLoadLosesNothingAndLeavesNothingBehind(boolean fromTheLeader)
      throws Exception {
    makeLeader(USER_RANGE, fromTheLeader ? 1 : 2);
    Map<String, String> acked = new ConcurrentHashMap<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = Thread.ofPlatform().name("writer").start(() -> {
      try {
        for (int i = 0; !stop.get(); i++) {
          String k = "key-" + i;
          client.put(utf8(k), utf8("v" + i));
          acked.put(k, "v" + i);
          if (i % 5 == 0) {
            String earlier = "key-" + (i / 2);
            assertArrayEquals(utf8(acked.get(earlier)), client.get(utf8(earlier)), earlier);
          }
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    await("the client wrote a while", () -> acked.size() >= 50 || failure.get() != null);

    MoveReplicaResponse moved = admin(nodes.get(3L)).withDeadlineAfter(90, TimeUnit.SECONDS)
        .moveReplica(MoveReplicaRequest.newBuilder().setRangeId(USER_RANGE).setFromStore(1)
            .setToStore(4).setTimeoutMillis(60_000).build());
    assertFalse(moved.hasError(), moved.toString());
    assertTrue(moved.getStepsList().containsAll(List.of("add learner 4", "promote 4",
        "remove voter 1")), moved.getStepsList().toString());
    if (fromTheLeader) {
      assertTrue(moved.getStepsList().stream().anyMatch(s -> s.startsWith("leadership moved")),
          moved.getStepsList().toString());
    }
    int atMove = acked.size();
    await("the client wrote on after the move", () -> acked.size() >= atMove + 50
        || failure.get() != null);
    stop.set(true);
    writer.join();
    if (failure.get() != null) {
      throw new AssertionError("the client saw an error", failure.get());
    }
    for (Map.Entry<String, String> e : acked.entrySet()) {
      assertArrayEquals(utf8(e.getValue()), client.get(utf8(e.getKey())), e.getKey());
    }
    await("node 1 removed its replica of the user range", () -> nodes.get(1L).ranges()
        .stream().noneMatch(ri -> ri.descriptor().rangeId() == USER_RANGE));
    await("every member has voters {2,3,4}", () -> List.of(2L, 3L, 4L).stream().allMatch(
        id -> nodes.get(id).ranges().stream().anyMatch(ri -> ri.descriptor().rangeId()
            == USER_RANGE && ri.descriptor().members().voters().equals(Set.of(2L, 3L, 4L)))));
    await("node 4 applied everything", () -> applied(4) >= commitOnLeader(USER_RANGE));

    // Look into the stores themselves.
    Path d1 = nodes.get(1L).storeDir();
    Path d4 = nodes.get(4L).storeDir();
    nodes.remove(1L).close();
    nodes.remove(4L).close();
    byte[] userStart = Keyspace.toInternal(new byte[0]);
    try (Store s1 = Store.open(d1, StoreOptions.DEFAULTS)) {
      KeySpan user = new KeySpan(MvccKeys.encodeUserKey(userStart), null);
      for (Cf cf : KeySpan.DATA_CFS) {
        assertEquals(0, count(s1, cf, user), cf + " of node 1 over the user range");
      }
      assertTrue(count(s1, Cf.WRITE, new KeySpan(new byte[0], MvccKeys.encodeUserKey(
          userStart))) > 0, "the system range's data on node 1 is untouched");
      assertFalse(hasRaftState(s1, USER_RANGE), "node 1 keeps no log or state of range 2");
      assertTrue(hasRaftState(s1, 1));
      assertNotNull(s1.get(Cf.RAFT_STATE, tombstoneKey(USER_RANGE)));
    }
    try (Store s4 = Store.open(d4, StoreOptions.DEFAULTS)) {
      MvccReader reader = new MvccReader(s4, new ReadOptions());
      for (Map.Entry<String, String> e : acked.entrySet()) {
        assertArrayEquals(utf8(e.getValue()), reader.get(Keyspace.toInternal(
            utf8(e.getKey())), Long.MAX_VALUE), "node 4 holds " + e.getKey());
      }
    }
  }

  @Test
  void aRemovalThatLosesTheQuorumIsRefusedAndADownNodeCollectsItsReplicaWhenBack() {
    client.put(utf8("before"), utf8("1"));
    Node n3 = nodes.remove(3L);
    Path d3 = n3.storeDir();
    n3.close();
    await("node 1 sees node 3 down", () -> !nodes.get(1L).liveNodes().contains(3L));

    ChangeReplicasResponse refused = admin(nodes.get(4L)).withDeadlineAfter(20,
        TimeUnit.SECONDS).changeReplicas(change(ChangeReplicasRequest.Op.REMOVE_VOTER, 2));
    assertEquals(KvError.Code.INVALID, refused.getError().getCode(), refused.toString());
    assertTrue(refused.getError().getMessage().startsWith("range 2: remove voter 2: it would"
        + " leave 1 live of the 3 voters"), refused.getError().getMessage());
    ChangeReplicasResponse notALearner = admin(nodes.get(4L)).withDeadlineAfter(20,
        TimeUnit.SECONDS).changeReplicas(change(ChangeReplicasRequest.Op.PROMOTE, 4));
    assertEquals("range 2: promote 4: store 4 is not a learner",
        notALearner.getError().getMessage());

    ChangeReplicasResponse removed = admin(nodes.get(4L)).withDeadlineAfter(20,
        TimeUnit.SECONDS).changeReplicas(change(ChangeReplicasRequest.Op.REMOVE_VOTER, 3));
    assertFalse(removed.hasError(), removed.toString());
    // Below three voters, the up-replicator adds node 4.
    await("range 2 has voters {1,2,4}", () -> nodes.get(1L).ranges().stream().anyMatch(ri ->
        ri.descriptor().rangeId() == USER_RANGE
            && ri.descriptor().members().voters().equals(Set.of(1L, 2L, 4L))));
    client.put(utf8("while-3-is-down"), utf8("2"));

    Node back = start("n3", List.of(HostPort.parse(nodes.get(1L).address())));
    assertEquals(3, back.nodeId());
    assertEquals(d3, back.storeDir());
    await("node 3 removed its replica of range 2 and kept range 1", () -> {
      List<RangeInfo> rs = back.ranges();
      return rs.size() == 1 && rs.get(0).descriptor().rangeId() == 1;
    });
    // Which path removed it depends on timing: the leader's messages queued for node 3 while
    // it was down (then it applies its own removal), or else the replica GC.
    assertEquals(1, back.runtime().replicasRemoved());
    assertArrayEquals(utf8("2"), client.get(utf8("while-3-is-down")));
  }

  // ------------------------------------------------------------------ helpers

  private static ChangeReplicasRequest change(ChangeReplicasRequest.Op op, long store) {
    return ChangeReplicasRequest.newBuilder().setRangeId(USER_RANGE).setOp(op).setStore(store)
        .build();
  }

  private void makeLeader(long range, long node) {
    await("node " + node + " leads range " + range, () -> {
      long current = leaderOf(range);
      if (current == node) {
        return true;
      }
      if (current != 0) {
        try {
          nodes.get(current).runtime().transferLeader(range, node).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          // Lost leadership meanwhile: ask whoever leads next round.
        }
      }
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < deadline && leaderOf(range) != node) {
        LockSupport.parkNanos(1_000_000);
      }
      return leaderOf(range) == node;
    });
  }

  private long leaderOf(long range) {
    for (Node n : nodes.values()) {
      for (RangeInfo ri : n.ranges()) {
        if (ri.descriptor().rangeId() == range && ri.leader() == n.nodeId()) {
          return n.nodeId();
        }
      }
    }
    return 0;
  }

  private long commitOnLeader(long range) {
    Node l = nodes.get(leaderOf(range));
    return l == null ? Long.MAX_VALUE : l.ranges().stream()
        .filter(ri -> ri.descriptor().rangeId() == range).findFirst()
        .map(RangeInfo::commit).orElse(Long.MAX_VALUE);
  }

  private long applied(long node) {
    return nodes.get(node).ranges().stream()
        .filter(ri -> ri.descriptor().rangeId() == USER_RANGE).findFirst()
        .map(RangeInfo::applied).orElse(0L);
  }

  private static int count(Store s, Cf cf, KeySpan span) {
    int n = 0;
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = s.newIterator(cf, ro)) {
      for (it.seek(span.start()); it.isValid() && span.contains(it.key()); it.next()) {
        n++;
      }
    }
    return n;
  }

  private static byte[] groupKey(long group, byte tag) {
    byte[] k = new byte[9];
    for (int i = 0; i < 8; i++) {
      k[i] = (byte) (group >>> (56 - 8 * i));
    }
    k[8] = tag;
    return k;
  }

  private static byte[] tombstoneKey(long range) {
    return groupKey(range, (byte) 'r');
  }

  private static boolean hasRaftState(Store s, long group) {
    for (byte tag : new byte[] {'h', 't', 'a'}) {
      if (s.get(Cf.RAFT_STATE, groupKey(group, tag)) != null) {
        return true;
      }
    }
    byte[] prefix = java.util.Arrays.copyOf(groupKey(group, (byte) 0), 8);
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = s.newIterator(Cf.RAFT_LOG, ro)) {
      it.seek(prefix);
      return it.isValid() && java.util.Arrays.equals(java.util.Arrays.copyOf(it.key(), 8),
          prefix);
    }
  }

  private NodeAdminGrpc.NodeAdminBlockingStub admin(Node n) {
    return NodeAdminGrpc.newBlockingStub(channels.computeIfAbsent(n.address(),
        a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build()));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder state = new StringBuilder();
        for (Node n : nodes.values()) {
          state.append("\n  ").append(n).append(", live ").append(n.liveNodes());
          for (RangeInfo ri : n.ranges()) {
            state.append("\n    ").append(ri);
          }
        }
        state.append("\n  log:");
        synchronized (log) {
          log.forEach(l -> state.append("\n    ").append(l));
        }
        throw new AssertionError("timed out waiting until " + what + state);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }
}
