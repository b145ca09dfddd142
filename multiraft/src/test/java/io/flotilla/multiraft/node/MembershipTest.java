package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.multiraft.proto.JoinResponse;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.flotilla.multiraft.transport.IncomingSnapshots;
import io.flotilla.multiraft.transport.LocalNetwork;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node ids on the bootstrapping node, whose gRPC port (and so joins) is open while it still
 * writes the new cluster's registry: a join that comes first must be told to retry, not given
 * an id the registry's own write then hands out again (two demo nodes once both became node 2).
 */
class MembershipTest {
  @TempDir
  Path dir;

  private final LocalNetwork net = new LocalNetwork();
  private Store store;
  private StoreRuntime runtime;
  private PeerClients peers;

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
    if (peers != null) {
      peers.close();
    }
    if (store != null) {
      store.close();
    }
    net.close();
  }

  @Test
  void aJoinBeforeTheRegistryIsWrittenIsRefusedAndConcurrentJoinsGetDistinctIds()
      throws Exception {
    store = Store.create(dir.resolve("n1"), new StoreIdentity(7, 1, Store.FORMAT_VERSION),
        StoreOptions.DEFAULTS);
    runtime = new StoreRuntime(1, store, new RaftLogStore(store),
        net.join(1, IncomingSnapshots.REFUSE, 10_000), new RuntimeOptions(10, 10, 3, 100_000),
        System::currentTimeMillis);
    runtime.start();
    for (RangeDescriptor d : SystemKeys.initialRanges(1)) {
      runtime.createRange(d).get(10, TimeUnit.SECONDS);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!runtime.ranges().stream().allMatch(ri -> ri.leader() == 1)
        || runtime.ranges().size() < 2) {
      assertTrue(System.nanoTime() < deadline, "node 1 leads its ranges");
      Thread.onSpinWait();
    }
    peers = new PeerClients();
    Membership m = new Membership(7, 1, "127.0.0.1:1", runtime, store,
        new AddressBook(1, "127.0.0.1:1", System::nanoTime), peers, List.of(),
        Duration.ofSeconds(5), Duration.ofSeconds(1), line -> { });

    // Until the runtime publishes node 1 as the system range's leader, a join is NOT_LEADER.
    JoinResponse early = m.join("127.0.0.1:2", false).get(10, TimeUnit.SECONDS);
    while (early.getError().getCode() == KvError.Code.NOT_LEADER) {
      assertTrue(System.nanoTime() < deadline, "node 1 never served a join: " + early);
      early = m.join("127.0.0.1:2", false).get(10, TimeUnit.SECONDS);
    }
    assertTrue(early.hasError() && early.getError().getMessage().contains("bootstrapped"),
        "a join before the registry exists is refused for now: " + early);

    m.bootstrapRegistry().get(10, TimeUnit.SECONDS);
    List<CompletableFuture<JoinResponse>> joins = new ArrayList<>();
    for (int i = 2; i <= 5; i++) {
      joins.add(m.join("127.0.0.1:" + i, false));
    }
    List<Long> ids = new ArrayList<>();
    for (CompletableFuture<JoinResponse> j : joins) {
      JoinResponse r = j.get(10, TimeUnit.SECONDS);
      assertTrue(!r.hasError(), r.toString());
      ids.add(r.getNodeId());
    }
    assertEquals(List.of(2L, 3L, 4L, 5L), ids.stream().sorted().toList(),
        "four concurrent joins, four distinct ids after node 1");

    // Finishing a bootstrap again (as after a crash) must not take the counter back.
    m.bootstrapRegistry().get(10, TimeUnit.SECONDS);
    JoinResponse later = m.join("127.0.0.1:6", false).get(10, TimeUnit.SECONDS);
    assertEquals(6, later.getNodeId(), later.toString());
    RangeInfo system = runtime.ranges().stream()
        .filter(ri -> ri.descriptor().rangeId() == SystemKeys.SYSTEM_RANGE_ID).findFirst()
        .orElseThrow();
    assertNotEquals(0, system.leader());
  }
}
