package io.flotilla.multiraft.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * Merging two adjacent ranges through Raft ({@link Merges}): split the keyspace at m, then
 * merge the halves back. Three runtimes over a local network, real RocksDB.
 */
class RangeMergeTest {
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
  }

  @AfterEach
  void stop() {
    nodes.values().forEach(StoreRuntime::close);
    stores.values().forEach(Store::close);
    net.close();
  }

  private RangeInfo view(long node, long range) {
    return join(nodes.get(node).rangeInfo(range)).orElseThrow();
  }

  /** Step 1 on the right half's leader; waits until every replica applied the freeze. */
  private MergeFreeze freeze() {
    RangeInfo l = view(leaderOf(left), left);
    RangeInfo r = view(leaderOf(right), right);
    MergeFreeze f = join(nodes.get(leaderOf(right)).prepareMerge(right,
        r.descriptor().generation(), left, l.descriptor().generation()));
    assertEquals(new MergeFreeze(f.index(), left, l.descriptor().generation()), f);
    await("every replica of the right half applied its freeze", () -> nodes.values().stream()
        .allMatch(n -> join(n.rangeInfo(right)).map(ri -> f.equals(ri.freeze())
            && ri.applied() >= f.index()).orElse(false)));
    return f;
  }

  /** Step 3 on the left half's leader. */
  private ApplyResult commit(MergeFreeze f) {
    RangeDescriptor r = view(leaderOf(right), right).descriptor();
    return join(nodes.get(leaderOf(left)).commitMerge(f, r));
  }

  /** Abandons {@code f} on the left half's leader. */
  private MergeAbandonment abandon(MergeFreeze f) {
    RangeDescriptor r = view(leaderOf(right), right).descriptor();
    return join(nodes.get(leaderOf(left)).abandonMerge(f, r));
  }

  /** Waits until every replica of {@code range} applied what its leader committed. */
  private void awaitApplied(long range) {
    long commit = view(leaderOf(range), range).commit();
    await("every replica of range " + range + " applied " + commit, () -> nodes.values()
        .stream().allMatch(n -> join(n.rangeInfo(range)).map(ri -> ri.applied() >= commit)
            .orElse(true)));
  }

  private void awaitMerged(long node) {
    await("node " + node + " merged", () -> nodes.containsKey(node)
        && join(nodes.get(node).rangeInfo(right)).isEmpty()
        && join(nodes.get(node).rangeInfo(left)).map(ri -> ri.descriptor().endKey().length == 0)
            .orElse(false));
  }

  private void assertRightGone(long node) {
    Store s = stores.get(node);
    assertFalse(hasRaftState(s, right), "node " + node + " keeps no state or log of the right");
    ReplicaTombstonePb t = ReplicaTombstones.loadAll(s).get(right);
    assertNotNull(t, "node " + node + " has a tombstone");
    assertEquals(left, t.getMergedInto());
    assertFalse(t.getDeleting());
    assertTrue(ApplyStates.loadAll(s).stream()
        .noneMatch(st -> st.getRange().getRangeId() == right));
  }

  @Test
  void mergingTheHalvesBackKeepsEveryKeyAndRetiresTheRightGroupEverywhere() {
    long genLeft = view(leaderOf(left), left).descriptor().generation();
    long genRight = view(leaderOf(right), right).descriptor().generation();
    MergeFreeze freeze = freeze();
    // Frozen: the right half refuses writes and reads, retryably.
    StoreRuntime rl = nodes.get(leaderOf(right));
    assertThrows(RangeException.RangeNotFound.class,
        () -> join(rl.propose(right, b("q"), put("q", "refused"))));
    assertThrows(RangeException.RangeNotFound.class, () -> join(rl.get(right, b("q"))));
    // A freeze asked again answers the same freeze, with the generation it was planned at.
    assertEquals(freeze, join(rl.prepareMerge(right, genRight, left, genLeft + 5)));

    ApplyResult merged = commit(freeze);
    assertNull(merged.error());
    for (long n = 1; n <= 3; n++) {
      awaitMerged(n);
      assertRightGone(n);
      RangeDescriptor d = view(n, left).descriptor();
      assertEquals(Math.max(genLeft, genRight) + 1, d.generation());
      assertArrayEquals(new byte[0], d.startKey());
    }
    await("a leader of the merged range", () -> leaderOf(left) != 0);
    StoreRuntime leader = nodes.get(leaderOf(left));
    for (String k : List.of("a", "c", "k", "m", "q", "z")) {
      assertArrayEquals(b("v-" + k), join(leader.get(left, b(k))), k);
    }
    assertEquals(6, join(leader.scan(left, new byte[0], new byte[0], 100)).pairs().size());
    // Writes to the right half's former span go to the merged range, above its versions.
    assertNull(join(leader.propose(left, b("q"), put("q", "new"))).error());
    assertArrayEquals(b("new"), join(leader.get(left, b("q"))));
    assertThrows(RangeException.RangeNotFound.class,
        () -> join(leader.propose(right, b("q"), put("q", "x"))));
  }

  @Test
  void aStaleMessageForTheMergedRangeDoesNotBringItBack() {
    MergeFreeze freeze = freeze();
    long index = freeze.index();
    long term = view(leaderOf(right), right).term();
    long rightLeader = leaderOf(right);
    assertNull(commit(freeze).error());
    for (long n = 1; n <= 3; n++) {
      awaitMerged(n);
    }
    long victim = rightLeader == 3 ? 2 : 3;
    StoreRuntime v = nodes.get(victim);
    v.onMessages(rightLeader, List.of(
        new Envelope(right, new Message.Heartbeat(rightLeader, victim, term, index, 0)),
        new Envelope(right, new Message.Append(rightLeader, victim, term + 1, index, term,
            List.of(), index))));
    assertEquals(Optional.empty(), join(v.rangeInfo(right)), "handled after the messages");
    assertRightGone(victim);
  }

  @Test
  void aReplicaOfTheLeftCutOffDuringTheCommitMergesOnceHealed() {
    MergeFreeze freeze = freeze();
    long leftLeader = leaderOf(left);
    long victim = leftLeader == 3 ? 2 : 3;
    net.isolate(victim);
    assertNull(commit(freeze).error());
    for (long n = 1; n <= 3; n++) {
      if (n != victim) {
        awaitMerged(n);
      }
    }
    assertTrue(join(nodes.get(victim).rangeInfo(right)).isPresent(), "cut off: not merged yet");
    net.heal();
    awaitMerged(victim);
    assertRightGone(victim);
    // The healed replica serves the merged span: make it lead and read the right's keys.
    join(nodes.get(leaderOf(left)).transferLeader(left, victim));
    await("the healed node leads", () -> leaderOf(left) == victim);
    assertArrayEquals(b("v-z"), join(nodes.get(victim).get(left, b("z"))));
  }

  @Test
  void aLeftReplicaBehindTheRightsFreezeCatchesItUpFromItsOwnLog() {
    // Node `lagging` gets the freeze entry but never learns that it committed (as after a crash
    // that lost both the apply and the commit index): the merge on the left proves it did.
    long leftLeader = leaderOf(left);
    long rightLeader = leaderOf(right);
    long lagging = leftLeader != 3 && rightLeader != 3 ? 3 : leftLeader != 2 && rightLeader != 2
        ? 2 : 1;
    long before = view(rightLeader, right).commit();
    net.dropIf((from, e) -> e.rangeId() == right && e.message().to() == lagging
        && switch (e.message()) {
          case Message.Append a -> a.commit() > before;
          case Message.Heartbeat h -> h.commit() > before;
          default -> false;
        });
    RangeInfo l = view(leftLeader, left);
    RangeInfo r = view(rightLeader, right);
    MergeFreeze freeze = join(nodes.get(rightLeader).prepareMerge(right,
        r.descriptor().generation(), left, l.descriptor().generation()));
    await("the lagging node holds the freeze entry", () -> view(rightLeader, right).match()
        .getOrDefault(lagging, 0L) >= freeze.index());
    assertEquals(0, view(lagging, right).frozenAt(), "it has not applied the freeze");
    assertNull(commit(freeze).error());
    for (long n = 1; n <= 3; n++) {
      awaitMerged(n);
      assertRightGone(n);
    }
    net.dropIf((from, e) -> false);
  }

  @Test
  void anAbandonBumpsTheLeftGenerationSoThatNoCommitOfTheFreezeAppliesOnAnyReplica() {
    RangeDescriptor before = view(leaderOf(left), left).descriptor();
    MergeFreeze freeze = freeze();
    assertEquals(MergeAbandonment.ABANDONED, abandon(freeze));
    awaitApplied(left);
    for (long n = 1; n <= 3; n++) {
      RangeDescriptor d = view(n, left).descriptor();
      assertEquals(before.generation() + 1, d.generation(), "node " + n);
      assertArrayEquals(before.endKey(), d.endKey(), "node " + n + ": the same span");
      assertEquals(before.members(), d.members(), "node " + n + ": the same members");
    }
    // A commit of the abandoned freeze, planned (as every one is) at the generation it names.
    ApplyResult refused = commit(freeze);
    assertNotNull(refused.error(), "refused");
    assertTrue(refused.error().getMessage().contains("generation"), refused.error().getMessage());
    awaitApplied(left);
    for (long n = 1; n <= 3; n++) {
      assertArrayEquals(b("m"), view(n, left).descriptor().endKey(), "node " + n + " merged");
      assertEquals(freeze, view(n, right).freeze(), "node " + n + ": the right half is intact");
    }
    // The new generation is in the apply state: a restart keeps it.
    long restarted = leaderOf(left) == 3 ? 2 : 3;
    stopNode(restarted);
    startNode(restarted);
    assertEquals(before.generation() + 1, view(restarted, left).descriptor().generation());
  }

  @Test
  void anAbandonAfterTheCommitAnswersAlreadyMergedAndChangesNothing() {
    MergeFreeze freeze = freeze();
    RangeDescriptor r = view(leaderOf(right), right).descriptor();
    assertNull(commit(freeze).error());
    for (long n = 1; n <= 3; n++) {
      awaitMerged(n);
    }
    await("a leader of the merged range", () -> leaderOf(left) != 0);
    RangeDescriptor merged = view(leaderOf(left), left).descriptor();
    assertEquals(MergeAbandonment.ALREADY_MERGED,
        join(nodes.get(leaderOf(left)).abandonMerge(freeze, r)));
    awaitApplied(left);
    for (long n = 1; n <= 3; n++) {
      assertEquals(merged, view(n, left).descriptor(), "node " + n);
    }
  }

  @Test
  void anAbandonedAndThawedRightRangeAcceptsWritesAgain() {
    RangeDescriptor before = view(leaderOf(left), left).descriptor();
    MergeFreeze freeze = freeze();
    // The left half splits after the freeze: the commit is refused, L is past the freeze's
    // generation already and the abandon leaves it there.
    assertNull(join(nodes.get(leaderOf(left)).split(left, b("f"))).error());
    assertNotNull(commit(freeze).error(), "refused");
    assertEquals(MergeAbandonment.ABANDONED, abandon(freeze));
    assertEquals(before.generation() + 1, view(leaderOf(left), left).descriptor().generation());
    assertNull(join(nodes.get(leaderOf(right)).thaw(right, freeze)).error());
    await("thawed everywhere", () -> nodes.values().stream().allMatch(n -> join(
        n.rangeInfo(right)).map(ri -> ri.freeze() == null).orElse(false)));
    StoreRuntime rl = nodes.get(leaderOf(right));
    assertNull(join(rl.propose(right, b("q"), put("q", "again"))).error());
    assertArrayEquals(b("again"), join(rl.get(right, b("q"))));
    assertArrayEquals(b("v-z"), join(rl.get(right, b("z"))));
  }

  @Test
  void aStaleThawLeavesANewerFreezeInPlace() {
    MergeFreeze first = freeze();
    assertEquals(MergeAbandonment.ABANDONED, abandon(first));
    awaitApplied(left); // whichever replica leads next plans at the new generation
    assertNull(join(nodes.get(leaderOf(right)).thaw(right, first)).error());
    await("thawed everywhere", () -> nodes.values().stream().allMatch(n -> join(
        n.rangeInfo(right)).map(ri -> ri.freeze() == null).orElse(false)));
    MergeFreeze second = freeze();
    assertTrue(second.index() > first.index());
    assertEquals(first.leftGeneration() + 1, second.leftGeneration(), "planned after the abandon");

    // The first freeze's thaw, proposed again (late): refused, alike on every replica.
    assertNotNull(join(nodes.get(leaderOf(right)).thaw(right, first)).error());
    awaitApplied(right);
    for (long n = 1; n <= 3; n++) {
      assertEquals(second, view(n, right).freeze(), "node " + n);
    }
    assertNull(commit(second).error());
    for (long n = 1; n <= 3; n++) {
      awaitMerged(n);
      assertRightGone(n);
    }
  }

  @Test
  void aRestartBetweenTheStepsAndAfterTheMergeKeepsWhatWasDone() {
    MergeFreeze freeze = freeze();
    long restarted = leaderOf(left) == 3 ? 2 : 3;
    stopNode(restarted);
    startNode(restarted);
    assertEquals(freeze, view(restarted, right).freeze(), "the freeze survives a restart");
    await("a leader of the left", () -> leaderOf(left) != 0);
    assertNull(commit(freeze).error());
    for (long n = 1; n <= 3; n++) {
      awaitMerged(n);
    }
    RangeDescriptor merged = view(restarted, left).descriptor();
    stopNode(restarted);
    startNode(restarted);
    assertEquals(merged, view(restarted, left).descriptor());
    assertTrue(join(nodes.get(restarted).rangeInfo(right)).isEmpty());
    assertRightGone(restarted);
  }

  // ------------------------------------------------------------------ helpers

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
