package io.flotilla.multiraft.client;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.OnePhaseCommitPb;
import io.flotilla.multiraft.proto.PrewritePb;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnCommitPb;
import io.flotilla.multiraft.proto.TxnErrorPb;
import io.flotilla.multiraft.proto.TxnHeartbeatPb;
import io.flotilla.multiraft.proto.TxnRollbackPb;
import io.flotilla.multiraft.proto.TxnWriteResponse;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Commits one transaction's writes (Percolator). All keys in one range: one command commits
 * them (one-phase), unless the range's leader refuses, when the two phases follow. Otherwise:
 * prewrite the group of keys holding the primary (the first key), then every other range's
 * group; take a commit timestamp; commit the primary, which is the commit point; commit the
 * secondaries in the background (a reader that finds one first settles it from the primary).
 * While its locks exist the transaction keeps its primary alive with heartbeats, so a slow
 * commit is not mistaken for a dead one. A failure before the commit point rolls back whatever
 * was prewritten.
 */
final class TxnCommitter {
  private final TxnRpc rpc;
  private final ScheduledExecutorService background;
  private final long startTs;
  private final NavigableMap<byte[], MutationPb> writes;
  private final byte[] primary;
  private final NavigableMap<byte[], MutationPb> prewritten =
      new TreeMap<>(Arrays::compareUnsigned);

  /** The writes span more than one range: the one-phase path does not apply. */
  private static final class NotOneRange extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotOneRange() {
      super(null, null, false, false);
    }
  }

  TxnCommitter(TxnRpc rpc, ScheduledExecutorService background, long startTs,
      NavigableMap<byte[], MutationPb> writes) {
    this.rpc = rpc;
    this.background = background;
    this.startTs = startTs;
    this.writes = writes;
    this.primary = writes.firstKey();
  }

  /** Commits; returns the commit timestamp. */
  long commit() {
    Long onePhase = onePhase();
    return onePhase != null ? onePhase : twoPhase();
  }

  /** The commit timestamp if one command committed everything, null to go on in two phases. */
  private Long onePhase() {
    byte[] last = writes.lastKey();
    TxnRpc.LockWait wait = rpc.new LockWait();
    while (true) {
      long[] commitTs = {0};
      TxnWriteResponse r;
      try {
        r = rpc.write("one-phase commit", primary, range -> {
          if (!range.descriptor().contains(last)) {
            throw new NotOneRange();
          }
          // Taken once the keys are known to share a range (a transaction across ranges takes
          // its one after its prewrites), and kept while the router retries this command.
          if (commitTs[0] == 0) {
            commitTs[0] = rpc.timestamp("one-phase commit of transaction " + startTs);
          }
          return TxnCommandPb.newBuilder().setOnePhase(OnePhaseCommitPb.newBuilder()
              .addAllMutations(writes.values()).setStartTs(startTs).setCommitTs(commitTs[0]))
              .build();
        }).response();
      } catch (NotOneRange e) {
        return null;
      } catch (KvException e) {
        throw new TxnException(TxnException.Kind.AMBIGUOUS, "one-phase commit of transaction "
            + startTs + ": it may or may not have applied: " + e.getMessage(), e);
      }
      if (!r.hasTxnError()) {
        return commitTs[0];
      }
      TxnErrorPb e = r.getTxnError();
      if (e.getOnePhaseRefused()) {
        return null;
      }
      rpc.resolveOrThrow(e, wait, "one-phase commit of transaction " + startTs);
    }
  }

  private long twoPhase() {
    ScheduledFuture<?> heartbeat = startHeartbeats();
    try {
      long commitTs;
      try {
        prewrite(primary);
        while (prewritten.size() < writes.size()) {
          prewrite(firstNotPrewritten());
        }
        commitTs = rpc.timestamp("commit of transaction " + startTs);
      } catch (RuntimeException e) {
        rollBackQuietly();
        throw e;
      }
      commitPrimary(commitTs);
      background.execute(() -> commitSecondaries(commitTs));
      return commitTs;
    } finally {
      heartbeat.cancel(false);
    }
  }

  private byte[] firstNotPrewritten() {
    for (byte[] k : writes.keySet()) {
      if (!prewritten.containsKey(k)) {
        return k;
      }
    }
    throw new IllegalStateException("every key is prewritten");
  }

  /** Prewrites the not yet prewritten keys of the range holding {@code key}. */
  private void prewrite(byte[] key) {
    TxnRpc.LockWait wait = rpc.new LockWait();
    while (true) {
      long ttl = ttlNow();
      Router.Routed<TxnWriteResponse> r = TxnRpc.unavailableIfGivenUp("prewrite of transaction "
          + startTs, () -> rpc.write("prewrite", key, range -> TxnCommandPb.newBuilder()
              .setPrewrite(PrewritePb.newBuilder().addAllMutations(
                  group(range.descriptor()).values()).setPrimary(ByteString.copyFrom(primary))
                  .setStartTs(startTs).setTtlMillis(ttl)).build()));
      if (!r.response().hasTxnError()) {
        prewritten.putAll(group(r.range().descriptor()));
        return;
      }
      rpc.resolveOrThrow(r.response().getTxnError(), wait, "prewrite of transaction "
          + startTs);
    }
  }

  /** The keys not yet prewritten that lie in {@code d}. */
  private NavigableMap<byte[], MutationPb> group(RangeDescriptor d) {
    NavigableMap<byte[], MutationPb> out = new TreeMap<>(Arrays::compareUnsigned);
    writes.forEach((k, m) -> {
      if (d.contains(k) && !prewritten.containsKey(k)) {
        out.put(k, m);
      }
    });
    return out;
  }

  private void commitPrimary(long commitTs) {
    TxnWriteResponse r;
    try {
      r = rpc.write("commit", primary, range -> commitCommand(List.of(primary), commitTs))
          .response();
    } catch (KvException e) {
      throw new TxnException(TxnException.Kind.AMBIGUOUS, "commit of transaction " + startTs
          + " at its primary key " + Keyspace.show(primary) + ": it may or may not have"
          + " applied: " + e.getMessage(), e);
    }
    if (r.hasTxnError()) {
      // Rolled back (its locks expired and a reader took them) or refused: nothing committed.
      rollBackQuietly();
      throw TxnRpc.failure(r.getTxnError(), "commit of transaction " + startTs);
    }
  }

  /** Commits every secondary; best effort, since whoever meets a lock left settles it. */
  private void commitSecondaries(long commitTs) {
    NavigableMap<byte[], MutationPb> left = new TreeMap<>(prewritten);
    left.remove(primary);
    while (!left.isEmpty()) {
      byte[] first = left.firstKey();
      try {
        Router.Routed<TxnWriteResponse> r = rpc.write("commit", first, range ->
            commitCommand(keysIn(left, range.descriptor()), commitTs));
        keysIn(left, r.range().descriptor()).forEach(left::remove);
      } catch (RuntimeException e) {
        return; // readers will settle the rest from the primary
      }
    }
  }

  private static List<byte[]> keysIn(NavigableMap<byte[], MutationPb> keys, RangeDescriptor d) {
    return keys.keySet().stream().filter(d::contains).toList();
  }

  private TxnCommandPb commitCommand(List<byte[]> keys, long commitTs) {
    return TxnCommandPb.newBuilder().setCommit(TxnCommitPb.newBuilder()
        .addAllKeys(keys.stream().map(ByteString::copyFrom).toList()).setStartTs(startTs)
        .setCommitTs(commitTs)).build();
  }

  /** Removes this transaction's locks; those it cannot reach expire and readers roll back. */
  private void rollBackQuietly() {
    NavigableMap<byte[], MutationPb> left = new TreeMap<>(prewritten);
    while (!left.isEmpty()) {
      byte[] first = left.firstKey();
      try {
        Router.Routed<TxnWriteResponse> r = rpc.write("rollback", first, range ->
            TxnCommandPb.newBuilder().setRollback(TxnRollbackPb.newBuilder()
                .addAllKeys(keysIn(left, range.descriptor()).stream()
                    .map(ByteString::copyFrom).toList()).setStartTs(startTs)).build());
        keysIn(left, r.range().descriptor()).forEach(left::remove);
      } catch (RuntimeException e) {
        return;
      }
    }
  }

  /**
   * A lock's TTL counts from the transaction's start: one that read for a while before it
   * commits needs that time added, or its locks would be born expired.
   */
  private long ttlNow() {
    long startMillis = startTs >>> 18;
    long elapsed = Math.max(0, System.currentTimeMillis() - startMillis);
    return elapsed + rpc.options().lockTtl().toMillis();
  }

  private ScheduledFuture<?> startHeartbeats() {
    long every = Math.max(10, rpc.options().lockTtl().toMillis() / 3);
    return background.scheduleWithFixedDelay(() -> {
      try {
        rpc.write("heartbeat", primary, range -> TxnCommandPb.newBuilder().setHeartbeat(
            TxnHeartbeatPb.newBuilder().setPrimary(ByteString.copyFrom(primary))
                .setStartTs(startTs).setTtlMillis(ttlNow())).build());
      } catch (RuntimeException e) {
        // The next beat tries again; a lock that expires meanwhile aborts the commit cleanly.
      }
    }, every, every, TimeUnit.MILLISECONDS);
  }
}
