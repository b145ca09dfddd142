package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.config.HostPort;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.transport.TransportOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@link Node}s in one JVM over real gRPC on loopback (ports picked by the OS): bootstrap
 * and two joins, up-replication of both ranges to three voters, a split through the admin API,
 * writes and reads through the Kv API (KvClient), metrics scraped over HTTP, a restart of one node with its
 * data on a new port, and the loss of the node leading the user range.
 */
class NodeClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  /** The running nodes of the cluster under test, by id. */
  private final Map<Long, Node> nodes = new TreeMap<>();
  private final List<Node> started = new ArrayList<>();
  private KvClient client;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());

  private NodeConfig config(String name, List<HostPort> join) {
    return NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join)
        .withRuntime(new RuntimeOptions(20, 10, 3, 100_000))
        .withTransport(TransportOptions.DEFAULTS.withLivenessTimeout(Duration.ofMillis(400))
            .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)))
        .withTimings(Duration.ofMillis(100), Duration.ofSeconds(1))
        .withHttp(Optional.of(new HostPort("127.0.0.1", 0)));
  }

  private Node start(String name, List<HostPort> join) {
    Node n = Node.start(config(name, join), line -> log.add(name + ": " + line));
    nodes.put(n.nodeId(), n);
    started.add(n);
    return n;
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    started.forEach(Node::close); // idempotent; includes nodes no longer in the map
    channels.values().forEach(ManagedChannel::shutdownNow);
  }

  private static HostPort hostPort(Node n) {
    return HostPort.parse(n.address());
  }

  @Test
  void bootstrapJoinReplicateSplitRestartAndLoseALeader() throws Exception {
    Node n1 = start("n1", List.of());
    assertEquals(1, n1.nodeId());
    Node n2 = start("n2", List.of(hostPort(n1)));
    Node n3 = start("n3", List.of(hostPort(n1)));
    assertEquals(Set.of(1L, 2L, 3L), nodes.keySet());
    assertEquals(n1.clusterId(), n2.clusterId());
    assertEquals(n1.clusterId(), n3.clusterId());
    client = new KvClient(List.of(n1.address(), n2.address(), n3.address()),
        KvClientOptions.defaults().withTotalTimeout(WAIT));

    await("both ranges have voters {1,2,3} on every node", () -> everyNodeHas(2, 3));
    assertTrue(log.stream().anyMatch(l -> l.contains("up-replication: range 1: add learner")),
        "decisions are logged: " + log);
    assertTrue(log.stream().anyMatch(l -> l.contains("promote n")), String.valueOf(log));

    // A split asked of a node that may not lead the range is forwarded to its leader.
    AdminSplitResponse split = NodeAdminGrpc.newBlockingStub(channel(n2.address()))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .split(AdminSplitRequest.newBuilder().setUserKey(bytes("m")).build());
    assertTrue(!split.hasError(), split.toString());
    await("three ranges with voters {1,2,3} everywhere", () -> everyNodeHas(3, 3));

    for (int i = 0; i < 40; i++) {
      put("k" + (char) ('a' + i % 26) + i, "v" + i);
    }
    assertEquals("v7", get("kh7"));
    assertEquals("v30", get("ke30"));

    String metrics = scrape(n1);
    for (String expected : List.of("flotilla_runtime_proposals_total ",
        "flotilla_wal_syncs_total ", "flotilla_transport_messages_sent_total ",
        "flotilla_range_leader{range=\"1\"} ", "flotilla_range_applied_index{range=\"2\"} ",
        "flotilla_nodes_live 3", "# TYPE flotilla_transport_queued_bytes gauge")) {
      assertTrue(metrics.contains(expected), expected + " in\n" + metrics);
    }

    // Restart node 2 with its data on a new port; the cluster stays writable meanwhile.
    String oldAddress = n2.address();
    n2.close();
    nodes.remove(2L);
    put("while-n2-is-down", "yes");
    Node n2again = start("n2", List.of(hostPort(n1)));
    assertEquals(2, n2again.nodeId());
    assertNotEquals(oldAddress, n2again.address());
    await("the others learn node 2's new address", () -> nodes.values().stream()
        .allMatch(n -> n2again.address().equals(n.addressBook().get(2L))));
    await("node 2 catches up on every range", () -> caughtUp(n2again));

    // The client knew node 2 at its old address; make node 2 lead a range it must reach.
    byte[] kb1 = Keyspace.toInternal(bytes("kb1").toByteArray());
    long kb1Leader = leaderOf(kb1);
    long kb1Range = nodes.get(kb1Leader).ranges().stream()
        .filter(ri -> ri.descriptor().contains(kb1)).findFirst().orElseThrow()
        .descriptor().rangeId();
    // A transfer is best effort (Raft abandons it after an election timeout, e.g. if the
    // TimeoutNow is lost while node 2's new connection comes up), so ask again until it lands.
    await("node 2 leads the range of kb1", () -> {
      long current = leaderOf(kb1);
      if (current == 2) {
        return true;
      }
      if (current != 0) {
        try {
          nodes.get(current).runtime().transferLeader(kb1Range, 2).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          // Not the leader any more, or overloaded: the next round asks whoever leads then.
        }
      }
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < deadline && leaderOf(kb1) != 2) {
        Thread.onSpinWait();
      }
      return leaderOf(kb1) == 2;
    });
    put("kb1", "moved");
    assertEquals("moved", get("kb1"));

    // Lose the node that leads the user range holding "ka0".
    long victim = leaderOf(Keyspace.toInternal(bytes("ka0").toByteArray()));
    nodes.remove(victim).close();
    put("after-the-leader-died", "still-writable");
    assertEquals("still-writable", get("after-the-leader-died"));
    assertEquals("yes", get("while-n2-is-down"));
    assertEquals("v39", get("kn39"));
  }

  @Test
  void aStoreOfAnotherClusterCannotJoin() {
    Node a = start("a", List.of());
    Node b = start("b", List.of());
    assertNotEquals(a.clusterId(), b.clusterId());
    nodes.remove(b.nodeId()).close();
    NodeStartException e = assertThrows(NodeStartException.class,
        () -> Node.start(config("b", List.of(hostPort(a))), line -> { }));
    assertTrue(e.getMessage().contains("belongs to cluster " + Membership.hex(b.clusterId()))
        && e.getMessage().contains("cannot join another cluster"), e.getMessage());
  }

  // ------------------------------------------------------------------ helpers

  private boolean everyNodeHas(int ranges, int voters) {
    for (Node n : nodes.values()) {
      List<RangeInfo> rs = n.ranges();
      if (rs.size() != ranges) {
        return false;
      }
      for (RangeInfo ri : rs) {
        if (ri.descriptor().members().voters().size() != voters
            || !ri.descriptor().members().learners().isEmpty()) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean caughtUp(Node n) {
    for (RangeInfo mine : n.ranges()) {
      long id = mine.descriptor().rangeId();
      for (Node other : nodes.values()) {
        for (RangeInfo ri : other.ranges()) {
          if (ri.descriptor().rangeId() == id && ri.leader() == other.nodeId()
              && mine.applied() < ri.commit()) {
            return false;
          }
        }
      }
    }
    return n.ranges().size() == nodes.values().iterator().next().ranges().size();
  }

  private long leaderOf(byte[] key) {
    for (Node n : nodes.values()) {
      for (RangeInfo ri : n.ranges()) {
        if (ri.descriptor().contains(key) && ri.leader() == n.nodeId()) {
          return n.nodeId();
        }
      }
    }
    return 0;
  }

  private void put(String key, String value) {
    client.put(utf8(key), utf8(value));
  }

  private String get(String key) {
    byte[] v = client.get(utf8(key));
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address,
        a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build());
  }

  private static String scrape(Node n) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + n.httpPort().orElseThrow() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    return r.body();
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder state = new StringBuilder();
        for (Node n : nodes.values()) {
          state.append("\n  ").append(n).append(", live ").append(n.liveNodes())
              .append(", book ").append(n.addressBook());
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
