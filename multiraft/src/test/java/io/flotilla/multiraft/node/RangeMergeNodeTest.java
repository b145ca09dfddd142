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
import io.flotilla.multiraft.proto.AdminMergeRequest;
import io.flotilla.multiraft.proto.AdminMergeResponse;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import com.google.protobuf.ByteString;
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
 * Merging two ranges through the admin API on three {@link Node}s (real gRPC, real RocksDB):
 * the user range is split at "m", then merged back while a client writes and reads across both
 * halves; nothing acknowledged is lost and the client only ever retried.
 */
class RangeMergeNodeTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long USER_RANGE = 2;

  @TempDir
  Path dir;

  private final Map<Long, Node> nodes = new TreeMap<>();
  private final List<Node> started = new ArrayList<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
  private KvClient client;
  private long right;

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
    var split = admin(n1).withDeadlineAfter(30, TimeUnit.SECONDS).split(AdminSplitRequest
        .newBuilder().setUserKey(ByteString.copyFrom(utf8("m"))).build());
    assertFalse(split.hasError(), split.toString());
    await("three ranges everywhere", () -> nodes.values().stream()
        .allMatch(n -> n.ranges().size() == 3));
    right = n1.ranges().stream().mapToLong(ri -> ri.descriptor().rangeId())
        .filter(id -> id != 1 && id != USER_RANGE).findFirst().orElseThrow();
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

  @Test
  void aMergeUnderLoadLosesNothingAndLeavesOneRange() throws Exception {
    // Different leaders: the merge moves the right range's leadership first.
    makeLeader(USER_RANGE, 1);
    makeLeader(right, 2);
    Map<String, String> acked = new ConcurrentHashMap<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = Thread.ofPlatform().name("writer").start(() -> {
      try {
        for (int i = 0; !stop.get(); i++) {
          // Alternately left ("a-...") and right ("z-...") of the split.
          String k = (i % 2 == 0 ? "a-" : "z-") + i;
          client.put(utf8(k), utf8("v" + i));
          acked.put(k, "v" + i);
          if (i % 5 == 0 && i > 0) {
            int j = i / 2;
            String earlier = (j % 2 == 0 ? "a-" : "z-") + j;
            assertArrayEquals(utf8(acked.get(earlier)), client.get(utf8(earlier)), earlier);
          }
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    await("the client wrote a while", () -> acked.size() >= 50 || failure.get() != null);

    // Asked of node 3, which leads neither: it passes the call to the left range's leader.
    AdminMergeResponse merged = admin(nodes.get(3L)).withDeadlineAfter(90, TimeUnit.SECONDS)
        .merge(AdminMergeRequest.newBuilder().setLeftRangeId(USER_RANGE).setRightRangeId(right)
            .setTimeoutMillis(60_000).build());
    assertFalse(merged.hasError(), merged.toString());
    List<String> steps = merged.getStepsList();
    assertTrue(steps.stream().anyMatch(s -> s.startsWith("moved the leadership of range "
        + right)), steps.toString());
    assertTrue(steps.stream().anyMatch(s -> s.startsWith("froze range " + right)),
        steps.toString());
    assertTrue(steps.contains("range " + USER_RANGE + " took the span of range " + right),
        steps.toString());
    assertEquals(0, merged.getRange().getEndKey().size(), "the merged range reaches the end");

    int atMerge = acked.size();
    await("the client wrote on after the merge", () -> acked.size() >= atMerge + 50
        || failure.get() != null);
    stop.set(true);
    writer.join();
    if (failure.get() != null) {
      throw new AssertionError("the client saw an error", failure.get());
    }
    for (Map.Entry<String, String> e : acked.entrySet()) {
      assertArrayEquals(utf8(e.getValue()), client.get(utf8(e.getKey())), e.getKey());
    }
    await("every node holds two ranges, the user range to the end", () -> nodes.values()
        .stream().allMatch(n -> n.ranges().size() == 2 && n.ranges().stream().anyMatch(ri ->
            ri.descriptor().rangeId() == USER_RANGE && ri.descriptor().endKey().length == 0)));
    await("the meta records know no more of range " + right, () -> nodes.values().stream()
        .allMatch(n -> n.metaRecords().stream().noneMatch(r -> r.getRange().getRangeId()
            == right) && n.metaRecords().size() == 2));
  }

  @Test
  void aMergeOfRangesThatAreNotAdjacentIsRefusedWithTheReason() {
    AdminMergeResponse refused = admin(nodes.get(1L)).withDeadlineAfter(30, TimeUnit.SECONDS)
        .merge(AdminMergeRequest.newBuilder().setLeftRangeId(1).setRightRangeId(right)
            .setTimeoutMillis(20_000).build());
    assertEquals(KvError.Code.INVALID, refused.getError().getCode(), refused.toString());
    assertTrue(refused.getError().getMessage().contains("range 1 and " + right
        + " are not adjacent"), refused.getError().getMessage());
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
