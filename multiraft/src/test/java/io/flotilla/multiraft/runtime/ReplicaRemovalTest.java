package io.flotilla.multiraft.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.kv.Cf;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.mvcc.MvccKeys;
import io.flotilla.kv.snapshot.KeySpan;
import io.flotilla.kv.snapshot.RangeSnapshotReceiver;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.PutPb;
import io.flotilla.multiraft.proto.ReplicaTombstonePb;
import io.flotilla.multiraft.transport.Envelope;
import io.flotilla.multiraft.transport.LocalNetwork;
import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Message;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * Removing replicas from stores: the data of the removed range (and only of it) goes, with its
 * log and state; a tombstone keeps stale messages from bringing it back, while a snapshot of a
 * later membership that adds the node again does; a crash between the tombstone and the
 * deletion is finished at the next start. Three runtimes over a local network, real RocksDB.
 */
class ReplicaRemovalTest {
  private static final RuntimeOptions OPTIONS = new RuntimeOptions(10, 10, 3, 100_000);

  @TempDir
  Path dir;

  private final LocalNetwork net = new LocalNetwork();
  private final Map<Long, Store> stores = new TreeMap<>();
  private final Map<Long, RaftLogStore> logs = new TreeMap<>();
  private final Map<Long, StoreRuntime> nodes = new TreeMap<>();
  /** The left half [, m) and the right half [m, ) of the keyspace. */
  private long left = 1;
  private long right;

  @BeforeEach
  void cluster() {
    for (long id = 1; id <= 3; id++) {
      startNode(id);
    }
    RangeDescriptor whole = new RangeDescriptor(left, new byte[0], new byte[0], 0,
        ConfState.ofVoters(1L, 2L, 3L));
    for (StoreRuntime rt : nodes.values()) {
      join(rt.createRange(whole));
    }
    await("a leader", () -> leaderOf(left) != 0);
    join(nodes.get(leaderOf(left)).split(left, b("m")));
    await("both halves everywhere", () -> nodes.values().stream()
        .allMatch(n -> n.ranges().size() == 2));
    right = nodes.get(1L).ranges().stream().mapToLong(ri -> ri.descriptor().rangeId())
        .filter(id -> id != left).findFirst().orElseThrow();
    await("a leader of the right half", () -> leaderOf(right) != 0);
    for (String k : List.of("a", "c", "k", "m", "q", "z")) {
      long range = k.compareTo("m") < 0 ? left : right;
      ApplyResult r = join(nodes.get(leaderOf(range)).propose(range, b(k), put(k, "v-" + k)));
      assertNull(r.error());
    }
    await("every replica applied the writes", () -> nodes.values().stream().allMatch(
        n -> n.ranges().stream().allMatch(ri -> ri.applied() >= commitOf(ri))));
    // The published commit index may lag the last write: wait for the data itself too.
    await("every store holds the writes", () -> stores.values().stream().allMatch(
        s -> countVersions(s, "", "m") == 3 && countVersions(s, "m", null) == 3));
  }

  @AfterEach
  void stop() {
    nodes.values().forEach(StoreRuntime::close);
    stores.values().forEach(Store::close);
    net.close();
  }

  @Test
  void aRemovedFollowerLosesTheRangesDataLogAndStateButNothingElse() {
    long leader = leaderOf(left);
    long victim = leader == 3 ? 2 : 3;
    removeAndCollect(left, victim);

    Store s = stores.get(victim);
    assertEquals(0, countData(s, "", "m"), "the left half's data is gone");
    assertEquals(3, countVersions(s, "m", null), "the right half's data is untouched");
    assertFalse(hasRaftState(s, left), "no log, hard state, truncated state or apply state");
    assertTrue(hasRaftState(s, right));
    ReplicaTombstonePb t = ReplicaTombstones.loadAll(s).get(left);
    assertNotNull(t);
    assertFalse(t.getDeleting());
    assertTrue(t.getRemovedIndex() > 0);
    // The range goes on without it.
    long l = leaderOf(left);
    assertNull(join(nodes.get(l).propose(left, b("b"), put("b", "after"))).error());
    assertArrayEquals(b("after"), join(nodes.get(l).get(left, b("b"))));
  }

  @Test
  void aLeaderThatRemovesItselfHandsOverAndIsCollected() {
    long leader = leaderOf(left);
    join(nodes.get(leader).changeMembers(left, ConfChange.remove(leader)));
    await("the old leader removed its replica", () -> nodes.get(leader).ranges().stream()
        .noneMatch(ri -> ri.descriptor().rangeId() == left));
    await("another leader", () -> leaderOf(left) != 0 && leaderOf(left) != leader);
    assertEquals(0, countData(stores.get(leader), "", "m"));
    assertFalse(hasRaftState(stores.get(leader), left));
    long l = leaderOf(left);
    assertNull(join(nodes.get(l).propose(left, b("b"), put("b", "after"))).error());
  }

  @Test
  void staleMessagesDoNotBringTheReplicaBackButAReAdditionDoes() {
    long leader = leaderOf(left);
    long victim = leader == 3 ? 2 : 3;
    removeAndCollect(left, victim);
    long term = nodes.get(leader).ranges().stream()
        .filter(ri -> ri.descriptor().rangeId() == left).findFirst().orElseThrow().term();

    // The leader's messages from before the removal (same term), delivered late.
    StoreRuntime v = nodes.get(victim);
    v.onMessages(leader, List.of(
        new Envelope(left, new Message.Heartbeat(leader, victim, term, 3, 0)),
        new Envelope(left, new Message.Append(leader, victim, term, 3, term, List.of(), 3))));
    assertEquals(Optional.empty(), join(v.rangeInfo(left)), "handled after the messages");
    assertEquals(0, countData(stores.get(victim), "", "m"));

    // Added back in the same term: the leader's probe is refused, it sends a snapshot of a
    // membership newer than the tombstone, and the replica returns with the data.
    join(nodes.get(leader).changeMembers(left, ConfChange.addLearner(victim)));
    await("the victim holds the left half again", () -> v.ranges().stream()
        .anyMatch(ri -> ri.descriptor().rangeId() == left));
    await("with its data", () -> countVersions(stores.get(victim), "", "m") == 3);
  }

  @Test
  void aCrashAfterTheTombstoneIsFinishedAtTheNextStart() {
    long victim = 3;
    RangeDescriptor d = nodes.get(victim).ranges().stream()
        .filter(ri -> ri.descriptor().rangeId() == left).findFirst().orElseThrow().descriptor();
    stopNode(victim);
    // Step 1 of a removal, then the crash: the data, log and raft state are all still there.
    Store s = Store.open(dir.resolve("n" + victim), StoreOptions.DEFAULTS);
    ReplicaTombstones.begin(s, ReplicaTombstonePb.newBuilder().setRemovedIndex(99).setTerm(1)
        .setRange(d.toProto()).build());
    assertEquals(3, countVersions(s, "", "m"));
    s.close();

    startNode(victim);
    StoreRuntime v = nodes.get(victim);
    assertEquals(Optional.empty(), join(v.rangeInfo(left)));
    assertTrue(join(v.rangeInfo(right)).isPresent());
    Store reopened = stores.get(victim);
    assertEquals(0, countData(reopened, "", "m"));
    assertEquals(3, countVersions(reopened, "m", null));
    assertFalse(hasRaftState(reopened, left));
    assertFalse(ReplicaTombstones.loadAll(reopened).get(left).getDeleting());
  }

  @Test
  void onlyTheSpanNoOtherReplicaCoversIsCleared() {
    ConfState members = ConfState.ofVoters(1L);
    RangeDescriptor stale = new RangeDescriptor(1, b("b"), b("t"), 1, members);
    RangeDescriptor mid = new RangeDescriptor(2, b("f"), b("h"), 3, members);
    RangeDescriptor tail = new RangeDescriptor(3, b("p"), new byte[0], 3, members);
    RangeDescriptor unknown = new RangeDescriptor(4, new byte[0], new byte[0], 0, ConfState.EMPTY);
    List<KeySpan> spans = ReplicaTombstones.spansToClear(stale, List.of(tail, mid, unknown));
    assertEquals(List.of(span("b", "f"), span("h", "p")), spans);
    assertEquals(List.of(), ReplicaTombstones.spansToClear(unknown, List.of()),
        "an empty replica holds no data: nothing, not everything");
    assertEquals(List.of(new KeySpan(MvccKeys.encodeUserKey(b("b")), null)),
        ReplicaTombstones.spansToClear(new RangeDescriptor(1, b("b"), new byte[0], 1, members),
            List.of()));
  }

  // ------------------------------------------------------------------ helpers

  /** Removes {@code victim} from {@code range} and waits until its store dropped the replica. */
  private void removeAndCollect(long range, long victim) {
    StoreRuntime leader = nodes.get(leaderOf(range));
    join(leader.changeMembers(range, ConfChange.remove(victim)));
    RangeDescriptor newer = join(leader.rangeInfo(range)).orElseThrow().descriptor();
    // The victim may or may not have heard that the removal committed (the leader stops
    // talking to it once applied): what the replica GC does then, it is told here.
    join(nodes.get(victim).removeReplica(range, newer, 0));
    await("node " + victim + " removed its replica of range " + range,
        () -> join(nodes.get(victim).rangeInfo(range)).isEmpty());
  }

  private void startNode(long id) {
    Path p = dir.resolve("n" + id);
    Store s = Files.exists(p) ? Store.open(p, StoreOptions.DEFAULTS)
        : Store.create(p, new StoreIdentity(9, id, Store.FORMAT_VERSION), StoreOptions.DEFAULTS);
    stores.put(id, s);
    RaftLogStore l = new RaftLogStore(s);
    logs.put(id, l);
    StoreRuntime rt = new StoreRuntime(id, s, l, net.join(id,
        snapshotId -> new RangeSnapshotReceiver(s).begin(snapshotId), 100_000), OPTIONS,
        System::currentTimeMillis);
    nodes.put(id, rt);
    rt.start();
  }

  private void stopNode(long id) {
    nodes.remove(id).close();
    logs.remove(id);
    stores.remove(id).close();
  }

  private static KeySpan span(String from, String to) {
    return new KeySpan(MvccKeys.encodeUserKey(b(from)), MvccKeys.encodeUserKey(b(to)));
  }

  /** Keys in the data families over user keys [from, to) (to null: to the end). */
  private static int countData(Store s, String from, String to) {
    int n = 0;
    for (Cf cf : KeySpan.DATA_CFS) {
      n += count(s, cf, from, to);
    }
    return n;
  }

  /** Committed versions (WRITE records) over user keys [from, to). */
  private static int countVersions(Store s, String from, String to) {
    return count(s, Cf.WRITE, from, to);
  }

  private static int count(Store s, Cf cf, String from, String to) {
    byte[] start = from.isEmpty() ? new byte[0] : MvccKeys.encodeUserKey(b(from));
    KeySpan span = new KeySpan(start, to == null ? null : MvccKeys.encodeUserKey(b(to)));
    int n = 0;
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = s.newIterator(cf, ro)) {
      for (it.seek(start); it.isValid() && span.contains(it.key()); it.next()) {
        n++;
      }
    }
    return n;
  }

  /** Whether any log entry or raft state (hard, truncated, apply) of the group is stored. */
  static boolean hasRaftState(Store s, long group) {
    byte[] prefix = ApplyStates.key(group);
    for (byte tag : new byte[] {'h', 't', 'a'}) {
      prefix[8] = tag;
      if (s.get(Cf.RAFT_STATE, prefix) != null) {
        return true;
      }
    }
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = s.newIterator(Cf.RAFT_LOG, ro)) {
      byte[] first = java.util.Arrays.copyOf(ApplyStates.key(group), 8);
      it.seek(first);
      return it.isValid() && java.util.Arrays.equals(java.util.Arrays.copyOf(it.key(), 8), first);
    }
  }

  private long leaderOf(long rangeId) {
    for (StoreRuntime rt : nodes.values()) {
      for (RangeInfo ri : rt.ranges()) {
        if (ri.descriptor().rangeId() == rangeId && ri.leader() == rt.nodeId()) {
          return rt.nodeId();
        }
      }
    }
    return 0;
  }

  private long commitOf(RangeInfo mine) {
    for (StoreRuntime rt : nodes.values()) {
      for (RangeInfo ri : rt.ranges()) {
        if (ri.descriptor().rangeId() == mine.descriptor().rangeId()
            && ri.leader() == rt.nodeId()) {
          return ri.commit();
        }
      }
    }
    return Long.MAX_VALUE;
  }

  private static CommandPb put(String k, String v) {
    return CommandPb.newBuilder().addPuts(PutPb.newBuilder().setKey(ByteString.copyFrom(b(k)))
        .setValue(ByteString.copyFrom(b(v)))).build();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private void await(String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder state = new StringBuilder();
        for (StoreRuntime n : nodes.values()) {
          state.append("\n  node ").append(n.nodeId());
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
}
