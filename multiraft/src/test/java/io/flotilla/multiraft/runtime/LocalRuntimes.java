package io.flotilla.multiraft.runtime;

import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.multiraft.transport.IncomingSnapshots;
import io.flotilla.multiraft.transport.LocalNetwork;
import io.flotilla.raft.ConfState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Store runtimes of a few nodes in one JVM over a {@link LocalNetwork}, with real RocksDB
 * stores: one range over the whole keyspace to start with, every node a voter.
 */
final class LocalRuntimes implements AutoCloseable {
  private static final RuntimeOptions FAST = new RuntimeOptions(10, 10, 3, 100_000);
  final LocalNetwork net = new LocalNetwork();
  final Map<Long, Store> stores = new TreeMap<>();
  final Map<Long, StoreRuntime> nodes = new TreeMap<>();

  LocalRuntimes(Path dir, int n) {
    Long[] ids = new Long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = (long) (i + 1);
    }
    for (long id : ids) {
      Store s = Store.create(dir.resolve("n" + id), new StoreIdentity(9, id,
          Store.FORMAT_VERSION), StoreOptions.DEFAULTS);
      stores.put(id, s);
      StoreRuntime rt = new StoreRuntime(id, s, new RaftLogStore(s), net.join(id,
          IncomingSnapshots.REFUSE, 100_000), FAST, System::currentTimeMillis);
      nodes.put(id, rt);
      rt.start();
    }
    RangeDescriptor whole = new RangeDescriptor(1, new byte[0], new byte[0], 0,
        ConfState.ofVoters(ids));
    for (StoreRuntime rt : nodes.values()) {
      join(rt.createRange(whole));
    }
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  void await(String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder state = new StringBuilder();
        for (StoreRuntime n : nodes.values()) {
          state.append("\n  node ").append(n.nodeId()).append(": ").append(n.stats());
          for (RangeInfo ri : n.ranges()) {
            state.append("\n    ").append(ri);
          }
        }
        throw new AssertionError("timed out waiting until " + what + state);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  /** The node leading {@code rangeId} in its own view, or 0. */
  long leaderOf(long rangeId) {
    for (StoreRuntime rt : nodes.values()) {
      for (RangeInfo ri : rt.ranges()) {
        if (ri.descriptor().rangeId() == rangeId && ri.leader() == rt.nodeId()) {
          return rt.nodeId();
        }
      }
    }
    return 0;
  }

  /** The leader's runtime of {@code rangeId}, once there is one. */
  StoreRuntime leader(long rangeId) {
    await("range " + rangeId + " has a leader", () -> leaderOf(rangeId) != 0);
    return nodes.get(leaderOf(rangeId));
  }

  /** The id of the range that starts at {@code startKey}, once every node holds it. */
  long rangeStartingAt(byte[] startKey) {
    await("every node holds the range starting at the key", () -> nodes.values().stream()
        .allMatch(n -> n.ranges().stream().anyMatch(ri -> java.util.Arrays.equals(
            ri.descriptor().startKey(), startKey))));
    return nodes.values().iterator().next().ranges().stream()
        .filter(ri -> java.util.Arrays.equals(ri.descriptor().startKey(), startKey))
        .findFirst().orElseThrow().descriptor().rangeId();
  }

  @Override
  public void close() {
    nodes.values().forEach(StoreRuntime::close);
    stores.values().forEach(Store::close);
    net.close();
  }
}
