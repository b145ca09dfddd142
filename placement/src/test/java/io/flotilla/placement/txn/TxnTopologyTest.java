package io.flotilla.placement.txn;

import static io.flotilla.placement.txn.TxnCluster.b;
import static io.flotilla.placement.txn.TxnCluster.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.client.Transaction;
import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.multiraft.client.TxnOptions;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.OnePhaseCommitPb;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnGetResponse;
import io.flotilla.multiraft.proto.TxnWriteResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A range split, merge, replica move or leader transfer between a transaction's prewrite and
 * its commit changes nothing in its outcome: every key ends committed at the primary's commit
 * timestamp, or none at all. The coordinator is played by hand (raw prewrites, then a commit or
 * rollback of the primary only), so the change lands exactly between the phases; a reader then
 * settles the secondaries from the primary, across whatever ranges hold them now. Also through
 * the client: a transaction whose range splits between its reads and its commit, and a
 * one-phase commit that reaches a range just merged.
 */
class TxnTopologyTest {
  /** Two ranges' worth of keys: [g, n) holds the primary and two more, [n, t) two. */
  private static final List<String> LEFT = List.of("h", "j", "l");
  private static final List<String> RIGHT = List.of("p", "r");
  private static final String PRIMARY = "h";
  /** Locks that outlive the test: the primary's commit or rollback decides, never expiry. */
  private static final long LONG_TTL = 600_000;

  @TempDir
  Path dir;
  private TxnCluster cluster;
  private TxnClient txns;

  enum Change { SPLIT, TRANSFER_LEADER, MOVE_REPLICA, MERGE }

  @BeforeEach
  void start() {
    cluster = TxnCluster.start(dir, "g", "n", "t");
    txns = cluster.client(TxnOptions.defaults());
    txns.run(t -> {
      all().forEach(k -> t.put(b(k), b("old-" + k)));
      return null;
    });
    // A reader settles the secondaries still committing in the background: the prewrites
    // played by hand must not meet their locks.
    Transaction reader = txns.begin();
    all().forEach(k -> assertEquals("old-" + k, s(reader.get(b(k)))));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static List<String> all() {
    return java.util.stream.Stream.concat(LEFT.stream(), RIGHT.stream()).toList();
  }

  @ParameterizedTest
  @EnumSource(Change.class)
  void aChangeBetweenPrewriteAndCommitLeavesEveryKeyCommittedAtThePrimarysTimestamp(
      Change change) {
    long start = prewriteAll();
    change(change);
    long commitTs = cluster.ts();
    TxnWriteResponse primary = cluster.commit(start, commitTs, PRIMARY);
    assertTrue(TxnCluster.ok(primary), primary.toString());

    assertCommittedAt(all(), commitTs);
  }

  @ParameterizedTest
  @EnumSource(Change.class)
  void aChangeBetweenPrewriteAndRollbackLeavesNoKeyWritten(Change change) {
    long start = prewriteAll();
    change(change);
    TxnWriteResponse primary = cluster.rollback(start, PRIMARY);
    assertTrue(TxnCluster.ok(primary), primary.toString());

    Transaction reader = txns.begin();
    for (String k : all()) {
      assertEquals("old-" + k, s(reader.get(b(k))), "the reader rolls back " + k);
    }
    for (String k : all()) {
      TxnWriteResponse late = cluster.commit(start, cluster.ts(), k);
      assertTrue(late.getTxnError().getAborted(), k + " can no longer commit: " + late);
    }
  }

  /** Prewrites every key (the primary's range first, as a coordinator does); its start ts. */
  private long prewriteAll() {
    long start = cluster.ts();
    for (List<String> group : List.of(LEFT, RIGHT)) {
      Map<String, String> values = new LinkedHashMap<>();
      group.forEach(k -> values.put(k, "new-" + k));
      TxnWriteResponse r = cluster.prewrite(start, PRIMARY, LONG_TTL, values);
      assertTrue(TxnCluster.ok(r), r.toString());
    }
    return start;
  }

  private void change(Change change) {
    long range = cluster.rangeOf(PRIMARY);
    switch (change) {
      // Between two prewritten keys of one command: "l" ends in a range of its own.
      case SPLIT -> cluster.split("k");
      case TRANSFER_LEADER -> {
        long leader = cluster.leaderOf(range);
        long to = cluster.votersOf(range).stream().filter(v -> v != leader).findFirst()
            .orElseThrow();
        cluster.transferLeader(range, to);
      }
      // From the leader: the leadership moves too, and node 4 gets the locks by snapshot.
      case MOVE_REPLICA -> {
        Node added = cluster.addNode();
        cluster.moveReplica(range, cluster.leaderOf(range), added.nodeId());
      }
      case MERGE -> cluster.merge(range, cluster.rangeOf(RIGHT.get(0)));
    }
  }

  /** The value of {@code key} at {@code readTs}, read raw: it must hold no lock by now. */
  private String valueAt(String key, long readTs) {
    TxnGetResponse r = cluster.txnGet(key, readTs);
    assertTrue(!r.hasTxnError(), key + " at " + readTs + ": " + r);
    return r.getFound() ? s(r.getValue().toByteArray()) : null;
  }

  @Test
  void aTransactionInOneRangeThatSplitsBeforeItsCommitCommitsEveryKey() {
    assertCommitsAcrossASplit(List.of("h", "l"));
  }

  @Test
  void aTransactionOverTwoRangesOneOfWhichSplitsBeforeItsCommitCommitsEveryKey() {
    assertCommitsAcrossASplit(List.of("h", "l", "p"));
  }

  /**
   * The client read {@code keys} (so its range cache holds their ranges as they were), then
   * the range of the first splits between it and the second: the commit regroups the keys by
   * the ranges it learns of, and every key commits at the transaction's commit timestamp.
   */
  private void assertCommitsAcrossASplit(List<String> keys) {
    Transaction t = txns.begin();
    for (String k : keys) {
      assertEquals("old-" + k, s(t.get(b(k))));
      t.put(b(k), b("new-" + k));
    }
    cluster.split("k");
    t.commit();
    assertCommittedAt(keys, t.commitTs());
  }

  /**
   * Every key of {@code keys} holds "new-" from {@code commitTs} on and "old-" just below: a
   * reader first settles whatever locks are left (secondaries commit in the background).
   */
  private void assertCommittedAt(List<String> keys, long commitTs) {
    Transaction reader = txns.begin();
    for (String k : keys) {
      assertEquals("new-" + k, s(reader.get(b(k))), "the reader settles " + k);
    }
    for (String k : keys) {
      assertEquals("old-" + k, valueAt(k, commitTs - 1), k + " just below the commit");
      assertEquals("new-" + k, valueAt(k, commitTs), k + " at the commit ts");
    }
  }

  /**
   * A one-phase commit whose timestamp was taken before a reader's, arriving after that
   * reader read its key in the right range and the right range merged into the left, must not
   * change what the reader saw: the merged range's leader must know of the right range's
   * reads before it admits one-phase commits on its span.
   */
  @Test
  void aOnePhaseCommitAfterAMergeCannotChangeWhatTheRightRangeServedBeforeIt() {
    long left = cluster.rangeOf("h");
    commitOnePhaseIn("h");
    long start = cluster.ts();
    long commitTs = cluster.ts();
    Transaction reader = txns.begin();
    assertNull(reader.get(b("q")));

    cluster.merge(left, cluster.rangeOf("q"));
    TxnWriteResponse late = cluster.txnWrite("q", TxnCommandPb.newBuilder().setOnePhase(
        OnePhaseCommitPb.newBuilder().addMutations(MutationPb.newBuilder()
            .setKey(ByteString.copyFrom(TxnCluster.internal("q")))
            .setValue(ByteString.copyFrom(b("late")))).setStartTs(start)
            .setCommitTs(commitTs)).build());

    assertNull(s(reader.get(b("q"))), "the reader's snapshot changed under it: " + late);
    assertTrue(late.getTxnError().getOnePhaseRefused(), late.toString());
  }

  /** Commits in one phase within the range of {@code prefix}: its leader has synced its gate. */
  private void commitOnePhaseIn(String prefix) {
    long before = onePhaseCommits();
    int[] i = {0};
    cluster.await("a one-phase commit in the range of " + prefix, () -> {
      String k = prefix + i[0]++;
      txns.run(t -> {
        t.put(b(k), b("1"));
        return null;
      });
      return onePhaseCommits() > before;
    });
  }

  private long onePhaseCommits() {
    return cluster.nodes().stream().mapToLong(n -> n.runtime().stats().onePhaseCommits())
        .sum();
  }
}
