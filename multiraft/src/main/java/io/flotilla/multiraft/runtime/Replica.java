package io.flotilla.multiraft.runtime;

import io.flotilla.kv.Store;
import io.flotilla.kv.mvcc.MvccException;
import io.flotilla.kv.mvcc.MvccReader;
import io.flotilla.kv.mvcc.MvccWriter;
import io.flotilla.kv.mvcc.Mutation;
import io.flotilla.multiraft.proto.ApplyStatePb;
import io.flotilla.multiraft.proto.CasPb;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.DeletePb;
import io.flotilla.multiraft.proto.PutPb;
import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.RaftNode;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteBatch;

/**
 * One range's replica on this node: its Raft member, its descriptor, and the state machine that
 * applies committed commands to the store. Touched only by the runtime's raft thread.
 */
final class Replica {
  /** A proposal this replica made and whose outcome a client waits for. */
  record Pending(long term, CompletableFuture<ApplyResult> future) {}

  /** A linearizable read waiting for its ReadIndex and then for the applied index. */
  record PendingRead(long index, Runnable serve) {}

  /** A read whose ReadIndex is not confirmed yet; failed if this replica loses leadership. */
  record AwaitingIndex(Runnable serve, CompletableFuture<?> future) {}

  final long rangeId;
  final RaftNode node;
  private final Store store;
  RangeDescriptor descriptor;
  long applied;
  /** The term of the entry at {@link #applied}: with it, a snapshot of the data's metadata. */
  long appliedTerm;
  /**
   * The last applied conf change's index (the applied index when opened, as it is unknown):
   * the log is compacted only at or after it, so the membership recorded with the compacted
   * prefix is the descriptor's, exactly.
   */
  long lastConfChange;
  /** Bytes of entries applied since the log was last compacted. */
  long bytesSinceCompaction;
  long maxTs;
  /** Not ticking: the leader found everyone caught up and told the followers to go quiet. */
  boolean quiescent;
  /** Ticks since the last proposal, read or message: quiescence waits for a calm moment. */
  int idleTicks;
  final Map<Long, Pending> proposals = new HashMap<>();
  final Map<Long, AwaitingIndex> readsAwaitingIndex = new HashMap<>();
  /** The end key this range had before its last split: the right half's end. */
  byte[] endBeforeSplit;
  final ArrayDeque<PendingRead> readsAwaitingApply = new ArrayDeque<>();

  Replica(RaftNode node, Store store, ApplyStatePb state) {
    this.rangeId = state.getRange().getRangeId();
    this.node = node;
    this.store = store;
    this.descriptor = RangeDescriptor.fromProto(state.getRange());
    this.applied = state.getAppliedIndex();
    this.appliedTerm = state.getAppliedTerm();
    this.lastConfChange = applied;
    this.maxTs = state.getMaxTs();
  }

  /** The next timestamp for a write proposed now: above every one this range has written. */
  long nextTimestamp(long nowMillis) {
    maxTs = Math.max(maxTs + 1, nowMillis << 18);
    return maxTs;
  }

  ApplyStatePb applyState(long term) {
    return ApplyStatePb.newBuilder().setAppliedIndex(applied).setAppliedTerm(term)
        .setRange(descriptor.toProto()).setMaxTs(maxTs).build();
  }

  /**
   * Applies one committed entry and records the new applied index in the same batch. Returns
   * the command (for the runtime to act on splits) or null.
   */
  CommandPb apply(Entry e) {
    CommandPb cmd = null;
    ApplyResult result = ApplyResult.OK;
    try (WriteBatch batch = new WriteBatch()) {
      if (e.type() == EntryType.CONF_CHANGE) {
        ConfState cs = node.applyConfChange(ConfChange.decode(e.data()));
        descriptor = descriptor.withMembers(cs);
        lastConfChange = e.index();
      } else if (e.data().length > 0) {
        cmd = CommandPb.parseFrom(e.data());
        result = execute(cmd, batch);
      }
      applied = e.index();
      appliedTerm = e.term();
      bytesSinceCompaction += e.data().length;
      ApplyStates.put(store, batch, rangeId, applyState(e.term()));
      store.write(batch);
    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
      throw new IllegalStateException("range " + rangeId + ": entry " + e.index()
          + " holds no valid command", ex);
    }
    Pending p = proposals.remove(e.index());
    if (p != null) {
      if (p.term() == e.term()) {
        p.future().complete(result);
      } else {
        p.future().completeExceptionally(new RangeException.ProposalDropped(rangeId,
            "another leader's entry took index " + e.index()));
      }
    }
    return cmd;
  }

  private ApplyResult execute(CommandPb cmd, WriteBatch batch) {
    // Every replica applies the same commands to the same state, so each refusal below is
    // taken alike everywhere: the state machines never diverge.
    long ts = Math.max(cmd.getTimestamp(), maxTs + 1);
    maxTs = ts;
    if (cmd.hasSplit()) {
      byte[] at = cmd.getSplit().getSplitKey().toByteArray();
      if (!descriptor.contains(at) || Arrays.equals(at, descriptor.startKey())) {
        return new ApplyResult(false, null, new RangeException.KeyOutsideRange(descriptor));
      }
      endBeforeSplit = descriptor.endKey();
      descriptor = new RangeDescriptor(rangeId, descriptor.startKey(), at,
          descriptor.generation() + 1, descriptor.members());
      return ApplyResult.OK;
    }
    try (ReadOptions view = new ReadOptions()) {
      MvccWriter w = new MvccWriter(store, view, batch);
      for (PutPb put : cmd.getPutsList()) {
        byte[] key = put.getKey().toByteArray();
        if (!descriptor.contains(key)) {
          return new ApplyResult(false, null, new RangeException.KeyOutsideRange(descriptor));
        }
      }
      for (DeletePb del : cmd.getDeletesList()) {
        if (!descriptor.contains(del.getKey().toByteArray())) {
          return new ApplyResult(false, null, new RangeException.KeyOutsideRange(descriptor));
        }
      }
      if (cmd.hasCas()) {
        return compareAndSet(cmd.getCas(), ts, view, w);
      }
      for (PutPb put : cmd.getPutsList()) {
        w.writeCommitted(Mutation.put(put.getKey().toByteArray(), put.getValue().toByteArray()),
            ts);
      }
      for (DeletePb del : cmd.getDeletesList()) {
        w.writeCommitted(Mutation.delete(del.getKey().toByteArray()), ts);
      }
      return ApplyResult.OK;
    } catch (MvccException | IllegalArgumentException ex) {
      batch.clear();
      return new ApplyResult(false, null, ex);
    }
  }

  private ApplyResult compareAndSet(CasPb cas, long ts, ReadOptions view, MvccWriter w) {
    byte[] key = cas.getKey().toByteArray();
    if (!descriptor.contains(key)) {
      return new ApplyResult(false, null, new RangeException.KeyOutsideRange(descriptor));
    }
    byte[] current = new MvccReader(store, view).get(key, Long.MAX_VALUE);
    boolean matches = cas.getExpectAbsent() ? current == null
        : current != null && Arrays.equals(current, cas.getExpected().toByteArray());
    if (!matches) {
      return new ApplyResult(false, current, null);
    }
    w.writeCommitted(cas.getDelete() ? Mutation.delete(key)
        : Mutation.put(key, cas.getValue().toByteArray()), ts);
    return new ApplyResult(true, current, null);
  }

  /** Serves reads whose index is applied now. */
  void serveReads() {
    while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.peekFirst().index() <= applied) {
      readsAwaitingApply.pollFirst().serve().run();
    }
  }

  boolean hasPendingWork() {
    return !proposals.isEmpty() || !readsAwaitingIndex.isEmpty()
        || !readsAwaitingApply.isEmpty();
  }
}
