package io.flotilla.multiraft.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.multiraft.transport.IncomingSnapshots;
import io.flotilla.multiraft.transport.LocalNetwork;
import io.flotilla.raft.ConfState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 ranges on a 3-node cluster (one JVM, real RocksDB stores): once idle they stop ticking
 * altogether, and when the node leading some of them stops, exactly those ranges wake and elect
 * new leaders while the ranges led elsewhere stay quiet (cockroachdb#50865, tikv#19070).
 */
class ThousandRangesTest {
  private static final int RANGES = 1000;

  @TempDir
  Path dir;

  private final LocalNetwork net = new LocalNetwork();
  private final Map<Long, Store> stores = new TreeMap<>();
  private final Map<Long, StoreRuntime> nodes = new TreeMap<>();

  @AfterEach
  void stop() {
    nodes.values().forEach(StoreRuntime::close);
    stores.values().forEach(Store::close);
    net.close();
  }

  @Test
  void idleRangesCostNoTicksAndOnlyTheDeadLeadersRangesWake() throws Exception {
    RuntimeOptions opts = new RuntimeOptions(10, 10, 3, 1_000_000);
    for (long id = 1; id <= 3; id++) {
      Store s = Store.create(dir.resolve("n" + id), new StoreIdentity(5, id,
          Store.FORMAT_VERSION), StoreOptions.DEFAULTS);
      stores.put(id, s);
      StoreRuntime rt = new StoreRuntime(id, s, new RaftLogStore(s),
          net.join(id, IncomingSnapshots.REFUSE, 1_000_000), opts, System::currentTimeMillis);
      nodes.put(id, rt);
      rt.start();
    }
    List<CompletableFuture<Void>> created = new ArrayList<>();
    for (long r = 1; r <= RANGES; r++) {
      byte[] start = r == 1 ? new byte[0] : key(r);
      byte[] end = r == RANGES ? new byte[0] : key(r + 1);
      RangeDescriptor d = new RangeDescriptor(r, start, end, 0, ConfState.ofVoters(1L, 2L, 3L));
      for (StoreRuntime rt : nodes.values()) {
        created.add(rt.createRange(d));
      }
    }
    for (CompletableFuture<Void> f : created) {
      f.get(30, TimeUnit.SECONDS);
    }
    await("every range has one leader and all are quiet", () -> allQuiet(nodes.keySet()));
    long ticksIdle = totalTicks();
    long idleMillis = 1000;
    long start = System.nanoTime();
    while (System.nanoTime() - start < idleMillis * 1_000_000) {
      Thread.onSpinWait();
    }
    assertEquals(ticksIdle, totalTicks(), "quiet ranges are not ticked at all");

    // The node that leads the most ranges is the one whose loss matters most.
    long victim = nodes.keySet().stream()
        .max(java.util.Comparator.comparingInt(n -> rangesLedBy(n).size())).orElseThrow();
    List<Long> ledByVictim = rangesLedBy(victim);
    assertTrue(!ledByVictim.isEmpty(), "node " + victim + " leads some ranges");
    List<Long> others = nodes.keySet().stream().filter(n -> n != victim).toList();
    long a = others.get(0);
    long b = others.get(1);
    long wokenBefore = nodes.get(a).stats().woken() + nodes.get(b).stats().woken();
    net.isolate(victim);
    await("the ranges node " + victim + " led have new leaders", () -> ledByVictim.stream()
        .allMatch(r -> leaderSeenBy(a, r) != 0 && leaderSeenBy(a, r) != victim
            && leaderSeenBy(b, r) == leaderSeenBy(a, r)));
    long woken = nodes.get(a).stats().woken() + nodes.get(b).stats().woken() - wokenBefore;
    // The two survivors each woke their follower of every range the victim led, and nothing
    // else.
    assertEquals(2L * ledByVictim.size(), woken, "only the dead leader's ranges woke");
    System.out.printf("%d ranges; node %d led %d; after its loss %d replicas woke on the others%n",
        RANGES, victim, ledByVictim.size(), woken);
  }

  private static byte[] key(long r) {
    return String.format("r%06d", r).getBytes();
  }

  private boolean allQuiet(java.util.Set<Long> ids) {
    for (long id : ids) {
      List<RangeInfo> rs = nodes.get(id).ranges();
      if (rs.size() != RANGES) {
        return false;
      }
      for (RangeInfo ri : rs) {
        if (!ri.quiescent() || ri.leader() == 0) {
          return false;
        }
      }
    }
    return true;
  }

  private long totalTicks() {
    return nodes.values().stream().mapToLong(n -> n.stats().ticks()).sum();
  }

  private List<Long> rangesLedBy(long node) {
    List<Long> out = new ArrayList<>();
    for (RangeInfo ri : nodes.get(node).ranges()) {
      if (ri.leader() == node) {
        out.add(ri.descriptor().rangeId());
      }
    }
    return out;
  }

  private long leaderSeenBy(long node, long rangeId) {
    for (RangeInfo ri : nodes.get(node).ranges()) {
      if (ri.descriptor().rangeId() == rangeId) {
        return ri.leader();
      }
    }
    return 0;
  }

  private static void await(String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }
}
