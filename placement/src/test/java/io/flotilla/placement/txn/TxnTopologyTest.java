package io.flotilla.placement.txn;

import static io.flotilla.placement.txn.TxnCluster.b;
import static io.flotilla.placement.txn.TxnCluster.s;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.client.Transaction;
import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.multiraft.client.TxnOptions;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.OnePhaseCommitPb;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnWriteResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transactions while ranges split, merge, move and change leaders. */
class TxnTopologyTest {
  @TempDir
  Path dir;
  private TxnCluster cluster;
  private TxnClient txns;

  @BeforeEach
  void start() {
    cluster = TxnCluster.start(dir, "g", "n", "t");
    txns = cluster.client(TxnOptions.defaults());
  }

  @AfterEach
  void stop() {
    cluster.close();
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
