package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.kv.KvCluster;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.MetaUpdatePb;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RangeMeta;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciler on three in-process runtimes (no Node, so nothing writes meta records unless
 * the test runs a round): a split made while no reconciler ran, as after a crash between the
 * split and its meta write, is repaired by the next rounds, and an update delayed from before
 * the split never takes the record back.
 */
class MetaReconcilerTest {
  @TempDir
  Path dir;

  private KvCluster cluster;
  private final List<MetaReconciler> reconcilers = new ArrayList<>();

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Stores records as the system range's current leader proposes them. */
  private CompletableFuture<Void> write(List<RangeMetaPb> records) {
    long leader = cluster.leaderOf(Keyspace.SYSTEM_RANGE_ID);
    if (leader == 0) {
      return CompletableFuture.failedFuture(new IllegalStateException("no system leader"));
    }
    CommandPb cmd = CommandPb.newBuilder().setMetaUpdate(MetaUpdatePb.newBuilder()
        .addAllRecords(records)).build();
    return cluster.runtime(leader).propose(Keyspace.SYSTEM_RANGE_ID,
        RangeMeta.key(records.get(0).getRange().getEndKey().toByteArray()), cmd)
        .thenAccept(r -> {
          if (r.error() != null) {
            throw r.error();
          }
        });
  }

  private void round() {
    for (int i = 0; i < reconcilers.size(); i++) {
      reconcilers.get(i).run(cluster.runtime(cluster.nodeIds().get(i)).ranges());
    }
  }

  /** Whether node {@code id}'s copy of the meta records describes every range as it is now. */
  private boolean metaIsTrueOn(long id) {
    Map<Long, RangeDescriptor> current = new HashMap<>();
    for (RangeInfo ri : cluster.runtime(id).ranges()) {
      current.put(ri.descriptor().rangeId(), ri.descriptor());
    }
    List<RangeMetaPb> records = MetaReconciler.readLocal(cluster.node(id).store());
    if (records.size() != current.size()) {
      return false;
    }
    for (RangeMetaPb r : records) {
      long rangeId = r.getRange().getRangeId();
      if (!RangeDescriptor.fromProto(r.getRange()).equals(current.get(rangeId))
          || r.getLeader() != cluster.leaderOf(rangeId)) {
        return false;
      }
    }
    return true;
  }

  private void awaitRepairedEverywhere() {
    cluster.await("every node's meta records describe every range", () -> {
      round();
      return cluster.nodeIds().stream().allMatch(this::metaIsTrueOn);
    });
  }

  @Test
  void aSplitWhoseMetaWriteWasLostIsRepairedAndOldUpdatesNeverRegressIt() throws Exception {
    cluster = KvCluster.start(dir, 3);
    for (long id : cluster.nodeIds()) {
      reconcilers.add(new MetaReconciler(id, cluster.node(id).store(), this::write,
          line -> { }));
    }
    awaitRepairedEverywhere();
    RangeMetaPb beforeSplit = MetaReconciler.readLocal(cluster.node(1).store()).get(1);
    assertEquals(Keyspace.FIRST_USER_RANGE_ID, beforeSplit.getRange().getRangeId());

    byte[] m = Keyspace.toInternal("m".getBytes(StandardCharsets.UTF_8));
    long right = cluster.split(m);
    // Nothing recorded the split: the record of the keyspace's end still names range 2.
    for (long id : cluster.nodeIds()) {
      List<RangeMetaPb> stale = MetaReconciler.readLocal(cluster.node(id).store());
      assertEquals(List.of(Keyspace.SYSTEM_RANGE_ID, Keyspace.FIRST_USER_RANGE_ID),
          stale.stream().map(r -> r.getRange().getRangeId()).toList());
    }

    awaitRepairedEverywhere();
    List<RangeMetaPb> repaired = MetaReconciler.readLocal(cluster.node(1).store());
    assertEquals(List.of(Keyspace.SYSTEM_RANGE_ID, Keyspace.FIRST_USER_RANGE_ID, right),
        repaired.stream().map(r -> r.getRange().getRangeId()).toList(),
        "records in key order: system, [-inf, m), [m, +inf)");

    // The update of range 2 from before the split arrives late: it is stored nowhere.
    write(List.of(beforeSplit)).get();
    long leader = cluster.leaderOf(Keyspace.SYSTEM_RANGE_ID);
    for (long id : cluster.nodeIds()) {
      cluster.await("node " + id + " applied the late update", () -> cluster.runtime(id)
          .ranges().stream().anyMatch(ri -> ri.descriptor().rangeId() == Keyspace.SYSTEM_RANGE_ID
              && ri.applied() >= appliedOf(leader)));
      assertEquals(repaired, MetaReconciler.readLocal(cluster.node(id).store()));
    }
    assertTrue(metaIsTrueOn(1));
  }

  private long appliedOf(long node) {
    return cluster.runtime(node).ranges().stream()
        .filter(ri -> ri.descriptor().rangeId() == Keyspace.SYSTEM_RANGE_ID)
        .mapToLong(RangeInfo::applied).findFirst().orElseThrow();
  }

  @Test
  void aRoundOverTheListALastRoundFoundUpToDateReadsAndSendsNothing() {
    RangeDescriptor[] initial = SystemKeys.initialRanges(1);
    List<RangeMetaPb> stored = new ArrayList<>();
    int[] reads = {0};
    List<List<RangeMetaPb>> sent = new ArrayList<>();
    MetaReconciler rec = new MetaReconciler(1, () -> {
      reads[0]++;
      return List.copyOf(stored);
    }, records -> {
      sent.add(records);
      stored.addAll(records);
      return CompletableFuture.completedFuture(null);
    }, line -> { });
    List<RangeInfo> published = List.of(
        new RangeInfo(initial[0], 1, 3, 10, true, 10, Map.of(1L, 10L)),
        new RangeInfo(initial[1], 1, 3, 7, true, 7, Map.of(1L, 7L)));

    assertEquals(2, rec.run(published).size(), "both records are missing");
    assertEquals(List.of(), rec.run(published), "both are stored now");
    assertEquals(2, reads[0]);
    // The runtime publishes the same list while nothing changes: nothing to read or build.
    for (int i = 0; i < 5; i++) {
      assertEquals(List.of(), rec.run(published));
    }
    assertEquals(2, reads[0], "the same list is not looked at again");
    assertEquals(1, sent.size());

    // A new list (the runtime published a change) is looked at again: here the user range's
    // leader has a new term, so its record is out of date.
    List<RangeInfo> changed = List.of(published.get(0),
        new RangeInfo(initial[1], 1, 4, 8, true, 8, Map.of(1L, 8L)));
    List<RangeMetaPb> again = rec.run(changed);
    assertEquals(3, reads[0]);
    assertEquals(List.of(RangeMeta.record(initial[1], 1, 4)), again);
  }
}
