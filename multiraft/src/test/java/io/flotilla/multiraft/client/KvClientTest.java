package io.flotilla.multiraft.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.kv.KvCluster;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against three in-process nodes over real gRPC, connected through one seed:
 * routing, redirects, stale caches, a dead leader, and the line between failed and unknown.
 */
class KvClientTest {
  private static final long USER = Keyspace.FIRST_USER_RANGE_ID;

  @TempDir
  Path dir;

  private KvCluster cluster;
  private KvClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] v) {
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  private KvClient connect(long seed, KvClientOptions options) {
    return new KvClient(List.of(cluster.address(seed)), options.withJitterSeed(7));
  }

  private long follower(long rangeId) {
    long leader = cluster.leaderOf(rangeId);
    return cluster.nodeIds().stream().filter(id -> id != leader).findFirst().orElseThrow();
  }

  @Test
  void everyOperationWorksAcrossSplitRanges() {
    cluster = KvCluster.start(dir, 3);
    client = connect(follower(USER), KvClientOptions.defaults());
    for (int i = 0; i < 60; i++) {
      client.put(b("k%02d".formatted(i)), b("v" + i));
    }
    cluster.split(Keyspace.toInternal(b("k20")));
    cluster.split(Keyspace.toInternal(b("k40")));

    List<KvEntry> all = client.scan(new byte[0], null, 1000);
    assertEquals(60, all.size());
    for (int i = 0; i < 60; i++) {
      assertEquals("k%02d".formatted(i), s(all.get(i).key()));
      assertEquals("v" + i, s(all.get(i).value()));
    }
    List<KvEntry> middle = client.scan(b("k15"), b("k45"), 100);
    assertEquals(30, middle.size());
    assertEquals("k15", s(middle.get(0).key()));
    assertEquals("k44", s(middle.get(29).key()));
    List<KvEntry> limited = client.scan(b("k10"), null, 25);
    assertEquals(25, limited.size());
    assertEquals("k34", s(limited.get(24).key()));

    assertEquals("v33", s(client.get(b("k33"))));
    client.delete(b("k33"));
    assertNull(client.get(b("k33")));
    assertEquals(59, client.scan(new byte[0], null, 1000).size());

    CasResult created = client.compareAndSet(b("k33"), null, b("x"));
    assertTrue(created.succeeded());
    assertNull(created.current());
    CasResult mismatch = client.compareAndSet(b("k33"), b("y"), b("z"));
    assertFalse(mismatch.succeeded());
    assertEquals("x", s(mismatch.current()));
    assertTrue(client.compareAndSet(b("k33"), b("x"), null).succeeded());
    assertNull(client.get(b("k33")));

    client.put(new byte[0], b("empty key"));
    assertEquals("empty key", s(client.get(new byte[0])));
  }

  @Test
  void aBatchPutIsGroupedByRangeAndLongScansArePaged() {
    cluster = KvCluster.start(dir, 3);
    cluster.split(Keyspace.toInternal(b("p0600")));
    client = connect(1, KvClientOptions.defaults());
    List<KvEntry> entries = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      entries.add(new KvEntry(b("p%04d".formatted(i)), b("v" + i)));
    }
    client.batchPut(entries);
    List<KvEntry> back = client.scan(b("p"), b("q"), 10_000);
    assertEquals(2500, back.size());
    for (int i = 0; i < 2500; i++) {
      assertEquals("p%04d".formatted(i), s(back.get(i).key()));
    }
    assertEquals("v1999", s(client.get(b("p1999"))));
  }

  @Test
  void aRequestToAFollowerIsRedirectedToTheLeader() {
    cluster = KvCluster.start(dir, 3);
    client = connect(1, KvClientOptions.defaults());
    client.put(b("a"), b("1"));
    long oldLeader = cluster.leaderOf(USER);
    assertEquals(oldLeader, client.cached(b("a")).leader());
    long newLeader = follower(USER);
    KvCluster.join(cluster.runtime(oldLeader).transferLeader(USER, newLeader));
    cluster.await("node " + newLeader + " leads", () -> cluster.leaderOf(USER) == newLeader);
    cluster.await("the old leader knows", () -> cluster.runtime(oldLeader).ranges().stream()
        .anyMatch(ri -> ri.descriptor().rangeId() == USER && ri.leader() == newLeader));

    client.put(b("a"), b("2"));
    assertEquals(newLeader, client.cached(b("a")).leader(), "the hint was followed");
    assertEquals("2", s(client.get(b("a"))));
  }

  @Test
  void aStaleCacheAfterASplitIsRefreshed() {
    cluster = KvCluster.start(dir, 3);
    client = connect(1, KvClientOptions.defaults());
    client.put(b("z"), b("1"));
    assertEquals(USER, client.cached(b("z")).rangeId());
    long right = cluster.split(Keyspace.toInternal(b("m")));

    assertEquals("1", s(client.get(b("z"))));
    assertEquals(right, client.cached(b("z")).rangeId());
    client.put(b("y"), b("2"));
    assertEquals(2, client.scan(b("m"), null, 10).size());
    assertEquals(USER, client.cached(b("a")) == null ? USER : client.cached(b("a")).rangeId());
  }

  @Test
  void aKilledLeaderIsRoutedAroundForReadsAndWrites() {
    cluster = KvCluster.start(dir, 3);
    long leader = cluster.leaderOf(USER);
    // The seed is the node that dies: the client must live on its address book.
    client = connect(leader, KvClientOptions.defaults());
    client.put(b("a"), b("1"));
    cluster.kill(leader);
    cluster.await("a new leader", () -> cluster.leaderOf(USER) != 0);

    assertEquals("1", s(client.get(b("a"))));
    client.put(b("a"), b("2"));
    assertTrue(client.compareAndSet(b("a"), b("2"), b("3")).succeeded());
    assertEquals("3", s(client.get(b("a"))));
    assertEquals(cluster.leaderOf(USER), client.cached(b("a")).leader());
  }

  @Test
  void aWriteWithoutAnOutcomeIsAmbiguousWhileAReadJustFails() {
    cluster = KvCluster.start(dir, 3, new RuntimeOptions(200, 10, 3, 100_000),
        Duration.ofMillis(400));
    long leader = cluster.leaderOf(USER);
    client = connect(leader, KvClientOptions.defaults().withTotalTimeout(Duration.ofMillis(1500)));
    client.put(b("a"), b("1"));
    for (long id : cluster.nodeIds()) {
      if (id != leader) {
        cluster.network().isolate(id);
      }
    }
    AmbiguousResultException put = assertThrows(AmbiguousResultException.class,
        () -> client.put(b("a"), b("2")));
    assertTrue(put.getMessage().startsWith("put key 'a' (range r2"), put.getMessage());
    assertThrows(AmbiguousResultException.class,
        () -> client.compareAndSet(b("a"), b("1"), b("3")));
    KvException get = assertThrows(KvException.class, () -> client.get(b("a")));
    assertTrue(get.getMessage().startsWith("get key 'a': no success"), get.getMessage());
  }

  @Test
  void anUnreachableClusterFailsCleanlyNotAmbiguously() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    client = new KvClient(List.of("127.0.0.1:" + port),
        KvClientOptions.defaults().withTotalTimeout(Duration.ofMillis(500)));
    KvException e = assertThrows(KvException.class, () -> client.put(b("a"), b("1")));
    assertTrue(e.getMessage().contains("put key 'a'"), e.getMessage());
    assertTrue(e.getMessage().contains("range lookup at 127.0.0.1:" + port), e.getMessage());
    assertThrows(KvException.class, () -> client.get(b("a")));
  }

  @Test
  void largeValuesAreBatchedAndScannedInBoundedMessages() {
    cluster = KvCluster.start(dir, 3);
    client = connect(1, KvClientOptions.defaults());
    List<KvEntry> big = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      byte[] v = new byte[1_500_000];
      java.util.Arrays.fill(v, (byte) i);
      big.add(new KvEntry(b("big" + i), v));
    }
    client.batchPut(big);
    List<KvEntry> back = client.scan(b("big"), b("bih"), 100);
    assertEquals(6, back.size());
    for (int i = 0; i < 6; i++) {
      assertArrayEquals(big.get(i).value(), back.get(i).value());
    }
    byte[] huge = new byte[5 << 20];
    client.put(b("huge"), huge);
    assertArrayEquals(huge, client.get(b("huge")));
  }

  @Test
  void keysAndValuesAreBytes() {
    cluster = KvCluster.start(dir, 3);
    client = connect(2, KvClientOptions.defaults());
    byte[] key = {0, (byte) 0xff, 1};
    byte[] value = {(byte) 0x80, 0};
    client.put(key, value);
    assertArrayEquals(value, client.get(key));
    assertArrayEquals(key, client.scan(new byte[0], null, 10).get(0).key());
  }
}
