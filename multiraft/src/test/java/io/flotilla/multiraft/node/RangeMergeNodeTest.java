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
import io.flotilla.multiraft.runtime.MergeFreeze;
import io.flotilla.multiraft.runtime.RangeDescriptor;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInfo;
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
  /** The merge watchdog's threshold: short only where a test is about it. */
  private Duration thawAfter;

  private NodeConfig config(String name, List<HostPort> join) {
    return NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join)
        .withRuntime(new RuntimeOptions(20, 10, 3, 100_000))
        .withTransport(TransportOptions.DEFAULTS.withLivenessTimeout(Duration.ofMillis(400))
            .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)))
        .withTimings(Duration.ofMillis(100), Duration.ofSeconds(1))
        .withHttp(Optional.empty())
        .withMergeThawAfter(thawAfter);
  }

  private Node start(String name, List<HostPort> join) {
    return start(config(name, join));
  }

  private Node start(NodeConfig config) {
    String name = config.store().getFileName().toString();
    Node n = Node.start(config, line -> log.add(name + ": " + line));
    nodes.put(n.nodeId(), n);
    started.add(n);
    return n;
  }

  /** Stops a node; it no longer counts in the test's views of the cluster. */
  private void stopNode(long id) {
    nodes.remove(id).close();
  }

  /** Starts a stopped node again on its store and its former port. */
  private Node restart(String name, Node stopped) {
    return start(config(name, List.of()).withListen(HostPort.parse(stopped.address())));
  }

  @BeforeEach
  void cluster(TestInfo test) {
    thawAfter = test.getTags().contains("watchdog") ? Duration.ofSeconds(2)
        : NodeSettings.MERGE_THAW_AFTER.defaultValue();
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

  @Test
  void aMergeWhoseRightVoterIsDownIsAbandonedAndTheRightRangeThawed() {
    makeLeader(USER_RANGE, 1);
    makeLeader(right, 1);
    Map<String, String> written = writeBothSides("before");
    long leftGeneration = descriptorOn(1, USER_RANGE).generation();
    Node third = nodes.get(3L);
    stopNode(3); // a voter of the right range: the freeze never applies everywhere

    AdminMergeResponse failed = admin(nodes.get(1L)).withDeadlineAfter(60, TimeUnit.SECONDS)
        .merge(AdminMergeRequest.newBuilder().setLeftRangeId(USER_RANGE).setRightRangeId(right)
            .setTimeoutMillis(3_000).build());
    assertTrue(failed.hasError(), failed.toString());
    assertTrue(failed.getError().getMessage().contains("range " + right + " thawed"),
        failed.getError().getMessage());
    assertSteps(failed, "froze range " + right, "range " + USER_RANGE + " abandoned the freeze"
        + " of range " + right, "thawed range " + right);
    assertThawed(Set.of(1L, 2L), leftGeneration + 1);
    assertTrue(logged("range " + right + " thawed: merge into range " + USER_RANGE
        + " abandoned because"), "the thaw is logged with its reason");
    written.putAll(writeBothSides("after"));
    assertRead(written);

    // The stopped voter catches up on both logs: the freeze, the thaw and the abandon.
    restart("n3", third);
    assertThawed(Set.of(1L, 2L, 3L), leftGeneration + 1);
  }

  @Tag("watchdog")
  @Test
  void theWatchdogThawsARangeWhoseCoordinatorStoppedAfterTheFreeze() throws Exception {
    makeLeader(USER_RANGE, 1);
    makeLeader(right, 1);
    Map<String, String> written = writeBothSides("before");
    RangeInfo l = info(1, USER_RANGE);
    RangeInfo r = info(1, right);
    // What a coordinator on node 1 does first; then node 1 stops: nobody commits.
    MergeFreeze freeze = nodes.get(1L).runtime().prepareMerge(right,
        r.descriptor().generation(), USER_RANGE, l.descriptor().generation())
        .get(30, TimeUnit.SECONDS);
    await("node 2 applied the freeze", () -> freeze.equals(info(2, right).freeze()));
    stopNode(1);

    assertThawed(Set.of(2L, 3L), l.descriptor().generation() + 1);
    assertTrue(logged("range " + right + " thawed: merge into range " + USER_RANGE
        + " abandoned because range " + right + " was frozen at index " + freeze.index()
        + " for over 2 s with no merge of it running on node"), "the watchdog logs the thaw");
    written.putAll(writeBothSides("after"));
    assertRead(written);
  }

  @Test
  void aMergeWhoseCommitIsRefusedBecauseTheLeftSplitAfterTheFreezeThawsTheRight()
      throws Exception {
    makeLeader(USER_RANGE, 1);
    makeLeader(right, 1);
    Map<String, String> written = writeBothSides("before");
    long leftGeneration = descriptorOn(1, USER_RANGE).generation();
    Node third = nodes.get(3L);
    stopNode(3); // holds the merge between its freeze and its commit
    var merge = NodeAdminGrpc.newFutureStub(channel(nodes.get(1L)))
        .withDeadlineAfter(120, TimeUnit.SECONDS)
        .merge(AdminMergeRequest.newBuilder().setLeftRangeId(USER_RANGE).setRightRangeId(right)
            .setTimeoutMillis(60_000).build());
    await("the right range frozen on nodes 1 and 2", () -> info(1, right).frozenAt() > 0
        && info(2, right).frozenAt() == info(1, right).frozenAt());
    var split = admin(nodes.get(1L)).withDeadlineAfter(30, TimeUnit.SECONDS).split(
        AdminSplitRequest.newBuilder().setUserKey(ByteString.copyFrom(utf8("f"))).build());
    assertFalse(split.hasError(), split.toString());
    // Node 3 applies the freeze once back: the merge goes on to its commit.
    restart("n3", third);

    AdminMergeResponse failed = merge.get(120, TimeUnit.SECONDS);
    assertEquals(KvError.Code.INVALID, failed.getError().getCode(), failed.toString());
    assertTrue(failed.getError().getMessage().contains("generation"),
        failed.getError().getMessage());
    assertSteps(failed, "every voter", "range " + USER_RANGE + " abandoned the freeze of range "
        + right, "thawed range " + right);
    // The split moved the left range past the freeze's generation: the abandon leaves it there.
    assertThawed(Set.of(1L, 2L, 3L), leftGeneration + 1);
    written.putAll(writeBothSides("after"));
    assertRead(written);
  }

  /** Writes keys on both sides of the split; returns them with their values. */
  private Map<String, String> writeBothSides(String tag) {
    Map<String, String> out = new TreeMap<>();
    for (int i = 0; i < 10; i++) {
      for (String side : List.of("a-", "z-")) {
        String k = side + tag + "-" + i;
        client.put(utf8(k), utf8("v-" + k));
        out.put(k, "v-" + k);
      }
    }
    return out;
  }

  private void assertRead(Map<String, String> written) {
    for (Map.Entry<String, String> e : written.entrySet()) {
      assertArrayEquals(utf8(e.getValue()), client.get(utf8(e.getKey())), e.getKey());
    }
  }

  private static void assertSteps(AdminMergeResponse r, String... prefixes) {
    for (String p : prefixes) {
      assertTrue(r.getStepsList().stream().anyMatch(s -> s.startsWith(p)),
          "a step starts with '" + p + "': " + r.getStepsList());
    }
  }

  /**
   * Waits until the right range is thawed on {@code on} (each replica caught up with its
   * leader) and the left range is at {@code leftGeneration} there.
   */
  private void assertThawed(Set<Long> on, long leftGeneration) {
    await("range " + right + " thawed and range " + USER_RANGE + " at generation "
        + leftGeneration + " on nodes " + on, () -> on.stream().allMatch(n -> {
          RangeInfo r = info(n, right);
          RangeInfo l = info(n, USER_RANGE);
          return r != null && l != null && r.freeze() == null
              && r.applied() >= commitOnLeader(right)
              && l.descriptor().generation() == leftGeneration;
        }));
  }

  private boolean logged(String prefix) {
    synchronized (log) {
      return log.stream().anyMatch(line -> line.contains(prefix));
    }
  }

  /** Node {@code node}'s replica of {@code range}, or null. */
  private RangeInfo info(long node, long range) {
    return nodes.get(node).ranges().stream().filter(ri -> ri.descriptor().rangeId() == range)
        .findFirst().orElse(null);
  }

  private RangeDescriptor descriptorOn(long node, long range) {
    return info(node, range).descriptor();
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
    return NodeAdminGrpc.newBlockingStub(channel(n));
  }

  private ManagedChannel channel(Node n) {
    return channels.computeIfAbsent(n.address(),
        a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build());
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
