package io.flotilla.multiraft.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.kv.Cf;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.mvcc.MvccKeys;
import io.flotilla.kv.snapshot.KeySpan;
import io.flotilla.multiraft.proto.ReplicaTombstonePb;
import io.flotilla.raft.ConfState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Removing a replica from this store, crash-safely, and remembering that it was removed.
 *
 * <p>A removal is two RocksDB writes on the raft thread:
 * <ol>
 *   <li>{@link #begin}: the tombstone ({@code rangeId || 'r'} in RAFT_STATE, {@link
 *       ReplicaTombstonePb}, flagged {@code deleting}) and the deletion of the apply state, in
 *       one batch. From here on a start does not load the replica.
 *   <li>{@link #finish}: the range's data (DATA, LOCK and WRITE over its span, minus the spans
 *       of the store's other replicas, which a replica that missed a split may overlap), its
 *       raft log, hard state and truncated state, and the tombstone without the flag, in one
 *       batch.
 * </ol>
 * Both are unsynced; RocksDB recovers a prefix of its WAL, so after a crash the store holds the
 * replica whole (neither write survived: it is removed again later), a flagged tombstone (the
 * first survived: {@link #finishPending} completes the deletion at start, before any replica
 * opens), or nothing but the tombstone.
 *
 * <p>The tombstone stays. A replica id is its node id and is reused when a node is added back,
 * so the tombstone is what tells a stale message (from a leader that has not applied the
 * removal yet, or a delayed one) from a real re-addition: only a snapshot of the range at an
 * index after {@code removed_index} whose members include this node re-creates the replica
 * (see {@link StoreRuntime}); any other message is answered without one. Members indexes of a
 * range only grow, so such a snapshot proves a membership newer than the one that removed us.
 */
final class ReplicaTombstones {
  private static final byte TAG = 'r';

  private ReplicaTombstones() {}

  static byte[] key(long rangeId) {
    byte[] k = ApplyStates.key(rangeId);
    k[8] = TAG;
    return k;
  }

  /** Every tombstone on this store, by range id. */
  static Map<Long, ReplicaTombstonePb> loadAll(Store store) {
    Map<Long, ReplicaTombstonePb> out = new HashMap<>();
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = store.newIterator(Cf.RAFT_STATE, ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (k.length == 9 && k[8] == TAG) {
          ReplicaTombstonePb t = ReplicaTombstonePb.parseFrom(it.value());
          out.put(t.getRange().getRangeId(), t);
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw store.failure("loading replica tombstones", e);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("store " + store.dir() + ": corrupt replica tombstone: "
          + e.getMessage(), e);
    }
    return out;
  }

  /** Step 1: the flagged tombstone and the apply state's deletion, atomically. */
  static void begin(Store store, ReplicaTombstonePb tombstone) {
    long id = tombstone.getRange().getRangeId();
    try (WriteBatch b = new WriteBatch()) {
      b.put(store.handle(Cf.RAFT_STATE), key(id),
          tombstone.toBuilder().setDeleting(true).build().toByteArray());
      ApplyStates.delete(store, b, id);
      store.write(b);
    } catch (RocksDBException e) {
      throw store.failure("writing the tombstone of range " + id, e);
    }
  }

  /**
   * Step 2: deletes the range's data outside {@code others} (the descriptors of the store's
   * other replicas), its log and raft state, and clears the tombstone's flag. Idempotent.
   * Returns the tombstone as it is now stored.
   */
  static ReplicaTombstonePb finish(Store store, RaftLogStore logs, ReplicaTombstonePb tombstone,
      List<RangeDescriptor> others) {
    long id = tombstone.getRange().getRangeId();
    ReplicaTombstonePb done = tombstone.toBuilder().setDeleting(false).build();
    try (WriteBatch b = new WriteBatch()) {
      for (KeySpan span : spansToClear(RangeDescriptor.fromProto(tombstone.getRange()), others)) {
        for (Cf cf : KeySpan.DATA_CFS) {
          KeySpan.deleteIn(store, cf, span, b);
        }
      }
      logs.destroy(id, b);
      b.put(store.handle(Cf.RAFT_STATE), key(id), done.toByteArray());
      store.write(b);
    } catch (RocksDBException e) {
      throw store.failure("deleting the data of removed range " + id, e);
    }
    logs.forget(id);
    return done;
  }

  /**
   * Retires the replica of a range that another range on this store took over (a merge, or a
   * snapshot of the range that absorbed it): adds to {@code b} its tombstone (never to be
   * brought back: {@code removed_index} is the largest index) and the deletion of its apply
   * state, log, hard and truncated state, but <b>not</b> of its data, which now belongs to
   * {@code mergedInto}. The caller writes {@code b} (atomically with the absorbing range's new
   * apply state, where there is one) and then calls {@link RaftLogStore#forget}.
   */
  static ReplicaTombstonePb retire(Store store, RaftLogStore logs, WriteBatch b,
      RangeDescriptor merged, long mergedInto, long term, long vote) {
    long id = merged.rangeId();
    ReplicaTombstonePb t = ReplicaTombstonePb.newBuilder().setRemovedIndex(Long.MAX_VALUE)
        .setTerm(term).setVote(vote).setRange(merged.toProto()).setMergedInto(mergedInto)
        .build();
    try {
      b.put(store.handle(Cf.RAFT_STATE), key(id), t.toByteArray());
    } catch (RocksDBException e) {
      throw store.failure("writing the tombstone of merged range " + id, e);
    }
    ApplyStates.delete(store, b, id);
    logs.destroy(id, b);
    return t;
  }

  /**
   * Finishes every removal a crash interrupted after step 1. Call at start, after interrupted
   * snapshot ingests are recovered and before any replica opens, with the descriptors of the
   * replicas the store holds.
   */
  static Map<Long, ReplicaTombstonePb> finishPending(Store store, RaftLogStore logs,
      List<RangeDescriptor> held) {
    Map<Long, ReplicaTombstonePb> all = loadAll(store);
    for (Map.Entry<Long, ReplicaTombstonePb> e : all.entrySet()) {
      if (e.getValue().getDeleting()) {
        e.setValue(finish(store, logs, e.getValue(), held));
      }
    }
    return all;
  }

  /** Whether {@code node} is a member of {@code members} in any role. */
  static boolean isMember(ConfState members, long node) {
    return members.voters().contains(node) || members.votersOutgoing().contains(node)
        || members.learners().contains(node) || members.learnersNext().contains(node);
  }

  /**
   * The stored spans of {@code own}'s keys that no other replica's range covers. A replica that
   * never learned its range (no members: the placeholder a leader's message started) holds no
   * data, so nothing. Other replicas that do not know their range are ignored for the same
   * reason.
   */
  static List<KeySpan> spansToClear(RangeDescriptor own, List<RangeDescriptor> others) {
    if (!initialized(own)) {
      return List.of();
    }
    List<RangeDescriptor> overlapping = new ArrayList<>();
    for (RangeDescriptor o : others) {
      if (o.rangeId() != own.rangeId() && initialized(o) && overlaps(own, o)) {
        overlapping.add(o);
      }
    }
    overlapping.sort(Comparator.comparing(RangeDescriptor::startKey, Arrays::compareUnsigned));
    List<KeySpan> out = new ArrayList<>();
    byte[] cur = own.startKey();
    byte[] end = own.endKey(); // empty: unbounded
    for (RangeDescriptor o : overlapping) {
      if (Arrays.compareUnsigned(o.startKey(), cur) > 0) {
        out.add(span(cur, minEnd(o.startKey(), end)));
      }
      if (o.endKey().length == 0) {
        return out;
      }
      if (Arrays.compareUnsigned(o.endKey(), cur) > 0) {
        cur = o.endKey();
      }
    }
    if (end.length == 0 || Arrays.compareUnsigned(cur, end) < 0) {
      out.add(span(cur, end));
    }
    return out;
  }

  private static boolean initialized(RangeDescriptor d) {
    return !d.members().voters().isEmpty() || !d.members().learners().isEmpty()
        || !d.members().votersOutgoing().isEmpty();
  }

  /** Whether two spans share a key (empty ends unbounded). */
  private static boolean overlaps(RangeDescriptor a, RangeDescriptor b) {
    boolean aEndsBeforeB = a.endKey().length != 0
        && Arrays.compareUnsigned(a.endKey(), b.startKey()) <= 0;
    boolean bEndsBeforeA = b.endKey().length != 0
        && Arrays.compareUnsigned(b.endKey(), a.startKey()) <= 0;
    return !aEndsBeforeB && !bEndsBeforeA;
  }

  /** {@code bounded} if it comes before {@code end} (empty: unbounded). */
  private static byte[] minEnd(byte[] bounded, byte[] end) {
    return end.length == 0 || Arrays.compareUnsigned(bounded, end) < 0 ? bounded : end;
  }

  /** The stored form of user-key span [start, end), as snapshots use it. */
  private static KeySpan span(byte[] start, byte[] end) {
    return new KeySpan(start.length == 0 ? new byte[0] : MvccKeys.encodeUserKey(start),
        end.length == 0 ? null : MvccKeys.encodeUserKey(end));
  }
}
