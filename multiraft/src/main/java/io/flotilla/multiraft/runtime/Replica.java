package io.flotilla.multiraft.runtime;

import io.flotilla.kv.Store;
import io.flotilla.kv.mvcc.MvccException;
import io.flotilla.kv.mvcc.MvccReader;
import io.flotilla.kv.mvcc.MvccWriter;
import io.flotilla.kv.mvcc.Mutation;
import io.flotilla.multiraft.proto.AbandonMergePb;
import io.flotilla.multiraft.proto.ApplyStatePb;
import io.flotilla.multiraft.proto.CasPb;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.CommitMergePb;
import io.flotilla.multiraft.proto.PrepareMergePb;
import io.flotilla.multiraft.proto.DeletePb;
import io.flotilla.multiraft.proto.MetaUpdatePb;
import io.flotilla.multiraft.proto.PutPb;
import io.flotilla.multiraft.proto.SplitPb;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.ProposalId;
import io.flotilla.raft.ProposalRejectedException;
import io.flotilla.raft.RaftNode;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteBatch;

/**
 * One range's replica on this node: its Raft member, its descriptor, and the state machine that
 * applies committed commands to the store. Touched only by the runtime's raft thread.
 */
final class Replica {
  /** A proposal this replica made and whose outcome a client waits for. */
  record Pending(long term, List<CompletableFuture<ApplyResult>> futures) {}

  /** A write taken for proposing in this cycle's batch entry. */
  record Queued(CommandPb command, CompletableFuture<ApplyResult> future) {}

  /** Writes queued since the last cycle, proposed together as one entry when it starts. */
  final List<Queued> queued = new ArrayList<>();

  /** A linearizable read waiting for its ReadIndex and then for the applied index. */
  record PendingRead(long index, Runnable serve, CompletableFuture<?> future) {}

  /**
   * A read whose ReadIndex is not confirmed yet; failed if this replica loses leadership.
   * {@code readTs}: a snapshot read's timestamp (0 for a read of the latest state).
   */
  record AwaitingIndex(Runnable serve, CompletableFuture<?> future, long readTs) {}

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
  /** The newest timestamp applied: the same on every replica after the same entries. */
  long maxTs;
  /** The range's GC safe point ({@code ApplyStatePb.gc_safe_point}). */
  long gcSafePoint;
  /** The newest timestamp this replica proposed as leader; never read when applying. */
  private long proposedTs;
  /** Not ticking: the leader found everyone caught up and told the followers to go quiet. */
  boolean quiescent;
  /** Ticks since the last proposal, read or message: quiescence waits for a calm moment. */
  int idleTicks;
  /** What this replica served as leader: for balancing and splitting by load. */
  final RangeLoad load;
  /**
   * The index of the applied conf change that left this node out of the range, 0 while it is a
   * member: the runtime removes the replica once its last Ready (a removed leader's TimeoutNow)
   * is sent.
   */
  long removedAt;
  final Map<Long, Pending> proposals = new HashMap<>();
  final Map<Long, AwaitingIndex> readsAwaitingIndex = new HashMap<>();
  /** What applying an entry asks of the runtime besides writing the batch. */
  sealed interface Effect permits AppliedSplit, AppliedMerge, Deferred {}

  /** A split this range applied: its command and the right half's end (the old end). */
  record AppliedSplit(SplitPb command, byte[] rightEnd) implements Effect {}

  /** This (left) range took the span of {@code right}, whose replica the runtime now retires. */
  record AppliedMerge(Replica right) implements Effect {}

  /** The entry is not applied yet: this store's replica of the merged range must catch up. */
  record Deferred() implements Effect {}

  static final Deferred DEFERRED = new Deferred();

  /**
   * The runtime's side of applying a merge: this store's replica of the right range, brought
   * up to its freeze, or null if it cannot be yet (the entry then waits, {@link #deferred}).
   */
  interface MergeGate {
    Replica rightReadyFor(Replica left, CommitMergePb commit);
  }

  /** Set by the entry being applied if it split the range or merged another into it. */
  private Effect effect;
  /**
   * The index of the applied PrepareMergePb that froze this range (0: not frozen): every later
   * entry is refused, alike on every replica, until the left range absorbs this one.
   */
  long frozenAt;
  /** The range this one is frozen for (its left neighbour), while {@link #frozenAt} is set. */
  long mergeTarget;
  /** The generation of {@link #mergeTarget} that the freeze names ({@link MergeFreeze}). */
  long mergeTargetGeneration;
  /**
   * Committed entries handed out by the core but not applied yet: a merge waits here (from its
   * CommitMergePb on) until this store's replica of the right range reached its freeze.
   */
  final ArrayDeque<Entry> deferred = new ArrayDeque<>();
  final ArrayDeque<PendingRead> readsAwaitingApply = new ArrayDeque<>();
  /** Snapshot reads against one-phase commits, while this replica leads. */
  final OnePhaseGate onePhase = new OnePhaseGate();

  Replica(RaftNode node, Store store, ApplyStatePb state) {
    this.rangeId = state.getRange().getRangeId();
    this.node = node;
    this.store = store;
    this.descriptor = RangeDescriptor.fromProto(state.getRange());
    this.applied = state.getAppliedIndex();
    this.appliedTerm = state.getAppliedTerm();
    this.lastConfChange = applied;
    this.maxTs = state.getMaxTs();
    this.gcSafePoint = state.getGcSafePoint();
    this.frozenAt = state.getFrozenAt();
    this.mergeTarget = state.getMergeTarget();
    this.mergeTargetGeneration = state.getMergeTargetGeneration();
    this.load = new RangeLoad(rangeId);
  }

  /**
   * Whether this replica knows its range: false for the empty replica a leader's message
   * started, until a snapshot or its split gives it a span and members.
   */
  boolean initialized() {
    return !descriptor.members().voters().isEmpty() || !descriptor.members().learners().isEmpty();
  }

  /**
   * The next timestamp for a write proposed now: above every one this range has written.
   *
   * <p>Applying keeps {@code maxTs} at or above every version in the range's span (a split's
   * right half inherits it, a snapshot carries it), and gives each command a timestamp above
   * it; so an applied write is always its key's newest version, and the writer skips looking
   * for newer ones.
   */
  long nextTimestamp(long nowMillis) {
    proposedTs = Math.max(Math.max(proposedTs, maxTs) + 1, nowMillis << 18);
    return proposedTs;
  }

  ApplyStatePb applyState(long term) {
    return ApplyStatePb.newBuilder().setAppliedIndex(applied).setAppliedTerm(term)
        .setRange(descriptor.toProto()).setMaxTs(maxTs).setFrozenAt(frozenAt)
        .setMergeTarget(mergeTarget).setMergeTargetGeneration(mergeTargetGeneration)
        .setGcSafePoint(gcSafePoint).build();
  }

  /** This range's freeze for a merge, or null if it is not frozen. */
  MergeFreeze freeze() {
    return frozenAt == 0 ? null : new MergeFreeze(frozenAt, mergeTarget, mergeTargetGeneration);
  }

  /** The error a request to a frozen range gets: retryable, once the meta records moved on. */
  RangeException frozenError() {
    return new RangeException.RangeNotFound(rangeId, "range " + rangeId + " is frozen: it is"
        + " being merged into range " + mergeTarget + "; look the key up again");
  }

  /**
   * Applies one committed entry into the cycle's batch; the proposer learns the outcome once
   * the batch is written. Call {@link #recordApplied} after the replica's last entry of the
   * cycle. Returns what the runtime must do besides (create a split's right half, retire a
   * merged range's replica, or keep the entry for later: {@link #DEFERRED}, nothing changed),
   * or null. A split this replica's descriptor is already past (a replica that started from a
   * later snapshot replays it) is refused like any key outside the range.
   */
  Effect apply(Entry e, ApplyBatch out, MergeGate gate) {
    effect = null;
    List<ApplyResult> results = List.of(ApplyResult.OK);
    try {
      if (frozenAt > 0 && e.index() > frozenAt && !thaws(e)) {
        // Frozen for a merge: nothing after the freeze takes effect, on any replica.
        int n = 1;
        if (e.type() != EntryType.CONF_CHANGE && e.data().length > 0) {
          n = Math.max(1, CommandPb.parseFrom(e.data()).getBatchCount());
        }
        ApplyResult refused = new ApplyResult(false, null, frozenError());
        results = java.util.Collections.nCopies(n, refused);
      } else if (e.type() == EntryType.CONF_CHANGE) {
        ConfState cs = node.applyConfChange(ConfChange.decode(e.data()));
        descriptor = descriptor.withMembers(cs, e.index());
        lastConfChange = e.index();
        removedAt = ReplicaTombstones.isMember(cs, node.id()) ? 0 : e.index();
      } else if (e.data().length > 0) {
        CommandPb cmd = CommandPb.parseFrom(e.data());
        if (cmd.hasPrepareMerge()) {
          results = List.of(prepareMerge(cmd.getPrepareMerge(), e.index()));
        } else if (cmd.hasAbandonMerge()) {
          results = List.of(abandonMerge(cmd.getAbandonMerge()));
        } else if (cmd.hasCommitMerge()) {
          boolean done = Merges.alreadyMerged(this, cmd.getCommitMerge().getRight());
          String refusal = done ? null : Merges.refusal(this, cmd.getCommitMerge());
          if (done) {
            results = List.of(ApplyResult.OK);
          } else if (refusal != null) {
            results = List.of(new ApplyResult(false, null,
                new RangeException.ProposalDropped(rangeId, refusal)));
          } else {
            Replica right = gate.rightReadyFor(this, cmd.getCommitMerge());
            if (right == null) {
              return DEFERRED;
            }
            absorb(cmd.getCommitMerge(), right);
          }
        } else if (cmd.getBatchCount() == 0) {
          results = List.of(executeOne(cmd, out));
        } else {
          results = new ArrayList<>(cmd.getBatchCount());
          for (CommandPb one : cmd.getBatchList()) {
            results.add(executeOne(one, out));
          }
        }
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
      throw new IllegalStateException("range " + rangeId + ": entry " + e.index()
          + " holds no valid command", ex);
    }
    applied = e.index();
    appliedTerm = e.term();
    bytesSinceCompaction += e.data().length;
    Pending p = proposals.remove(e.index());
    if (p != null) {
      if (p.term() == e.term() && p.futures().size() == results.size()) {
        List<ApplyResult> outcomes = results;
        out.afterWrite(() -> {
          for (int i = 0; i < outcomes.size(); i++) {
            p.futures().get(i).complete(outcomes.get(i));
          }
        });
      } else {
        RangeException dropped = new RangeException.ProposalDropped(rangeId,
            "another leader's entry took index " + e.index());
        out.afterWrite(() -> p.futures().forEach(f -> f.completeExceptionally(dropped)));
      }
    }
    return effect;
  }

  /**
   * Whether {@code e} is the abort of this range's freeze (the only entry a frozen range takes):
   * of this very freeze, so that a late abort of an earlier one never thaws a newer freeze,
   * whose commit on the left range would then wait for ever for this replica.
   */
  private boolean thaws(Entry e) throws com.google.protobuf.InvalidProtocolBufferException {
    if (e.type() != EntryType.NORMAL || e.data().length == 0) {
      return false;
    }
    CommandPb cmd = CommandPb.parseFrom(e.data());
    return cmd.hasPrepareMerge() && isThawOfThisFreeze(cmd.getPrepareMerge());
  }

  private boolean isThawOfThisFreeze(PrepareMergePb p) {
    return p.getAbort() && frozenAt > 0 && p.getFreezeIndex() == frozenAt
        && p.getTargetRangeId() == mergeTarget;
  }

  /** Freezes this range for a merge into its left neighbour (or thaws it: an abort). */
  private ApplyResult prepareMerge(PrepareMergePb p, long index) {
    if (p.getAbort()) {
      if (isThawOfThisFreeze(p)) {
        frozenAt = 0;
        mergeTarget = 0;
        mergeTargetGeneration = 0;
      }
      return ApplyResult.OK;
    }
    String refusal = null;
    if (descriptor.generation() != p.getGeneration()) {
      refusal = "range " + rangeId + " is at generation " + descriptor.generation()
          + ", the merge was planned at " + p.getGeneration();
    } else if (descriptor.members().isJoint() || !descriptor.members().learners().isEmpty()) {
      refusal = "range " + rangeId + " has learners or is in a joint configuration";
    }
    if (refusal != null) {
      return new ApplyResult(false, null, new RangeException.ProposalDropped(rangeId, refusal));
    }
    frozenAt = index;
    mergeTarget = p.getTargetRangeId();
    mergeTargetGeneration = p.getTargetGeneration();
    return ApplyResult.OK;
  }

  /**
   * Abandons a freeze of the right range of a merge into this one ({@link Merges}): decided from
   * this range's replicated state alone. Not ok (and no error) if this range took the right
   * one's span already.
   */
  private ApplyResult abandonMerge(AbandonMergePb a) {
    if (Merges.alreadyMerged(this, a.getRight())) {
      return new ApplyResult(false, null, null);
    }
    if (descriptor.generation() < a.getLeftGeneration()) {
      // Not a generation this range has been at: a commit planned at it could still apply.
      return new ApplyResult(false, null, new RangeException.ProposalDropped(rangeId, "range "
          + rangeId + " is at generation " + descriptor.generation() + ", below the "
          + a.getLeftGeneration() + " the abandoned freeze names"));
    }
    if (descriptor.generation() == a.getLeftGeneration()) {
      descriptor = descriptor.withEnd(descriptor.endKey(), descriptor.generation() + 1);
    }
    return ApplyResult.OK;
  }

  /** Takes the span (and newest timestamp) of {@code right}, frozen at the commit's index. */
  private void absorb(CommitMergePb c, Replica right) {
    RangeDescriptor r = RangeDescriptor.fromProto(c.getRight());
    descriptor = descriptor.withEnd(r.endKey(),
        Math.max(descriptor.generation(), r.generation()) + 1);
    maxTs = Math.max(maxTs, right.maxTs);
    gcSafePoint = Math.max(gcSafePoint, right.gcSafePoint);
    effect = new AppliedMerge(right);
  }

  private ApplyResult executeOne(CommandPb cmd, ApplyBatch out) {
    if (cmd.hasCas() || cmd.hasMetaUpdate() || cmd.hasTxn()) {
      // It reads what it may change: earlier entries of this cycle must be in the store.
      out.flush();
    }
    return execute(cmd, out.batch());
  }

  /**
   * Proposes the writes queued this cycle as one entry (a batch command, or the command itself
   * if it is alone), each with its own timestamp and outcome. Returns how many it proposed; if
   * the replica can no longer propose (it lost leadership since they were queued), fails them
   * all and returns 0.
   */
  int proposeQueued(long nowMillis) {
    if (queued.isEmpty()) {
      return 0;
    }
    List<Queued> taken = new ArrayList<>(queued);
    queued.clear();
    List<CompletableFuture<ApplyResult>> futures = new ArrayList<>(taken.size());
    CommandPb.Builder batch = CommandPb.newBuilder();
    for (Queued q : taken) {
      batch.addBatch(q.command().toBuilder().setTimestamp(nextTimestamp(nowMillis)));
      futures.add(q.future());
    }
    byte[] data = (taken.size() == 1 ? batch.getBatch(0) : batch.build()).toByteArray();
    try {
      ProposalId id = orRangeError(() -> node.propose(data));
      proposals.put(id.index(), new Pending(id.term(), futures));
      return taken.size();
    } catch (RuntimeException e) {
      futures.forEach(f -> f.completeExceptionally(e));
      return 0;
    }
  }

  /** Runs a call into the Raft node, turning a refused proposal into the range's error. */
  <T> T orRangeError(Supplier<T> op) {
    try {
      return op.get();
    } catch (ProposalRejectedException e) {
      if (e.reason() == ProposalRejectedException.Reason.NOT_LEADER) {
        throw new RangeException.NotLeader(descriptor, e.leaderHint());
      }
      throw new RangeException.ProposalDropped(rangeId, e.getMessage());
    }
  }

  /** Adds where this replica now stands to the batch holding what it applied. */
  void recordApplied(ApplyBatch out) {
    ApplyStates.put(store, out.batch(), rangeId, applyState(appliedTerm));
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
      effect = new AppliedSplit(cmd.getSplit(), descriptor.endKey());
      descriptor = descriptor.withEnd(at, descriptor.generation() + 1);
      return ApplyResult.OK;
    }
    // The batch holds other entries' writes too: a refused command undoes only its own.
    batch.setSavePoint();
    ApplyResult result = write(cmd, ts, batch);
    try {
      if (result.error() != null) {
        batch.rollbackToSavePoint();
      } else {
        batch.popSavePoint();
      }
    } catch (org.rocksdb.RocksDBException e) {
      throw store.failure("the apply batch of range " + rangeId, e);
    }
    return result;
  }

  private ApplyResult write(CommandPb cmd, long ts, WriteBatch batch) {
    if (cmd.hasTxn()) {
      maxTs = Math.max(maxTs, TxnApplier.writesAt(cmd.getTxn()));
      ApplyResult r = TxnApplier.apply(store, descriptor, cmd.getTxn(), batch, gcSafePoint);
      if (r.error() == null && cmd.getTxn().hasGc()) {
        gcSafePoint = Math.max(gcSafePoint, cmd.getTxn().getGc().getSafePoint());
      }
      return r;
    }
    try (ReadOptions view = new ReadOptions()) {
      MvccWriter w = new MvccWriter(store, view, batch, gcSafePoint);
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
      if (cmd.hasMetaUpdate()) {
        return updateMeta(cmd.getMetaUpdate(), ts, view, w);
      }
      for (PutPb put : cmd.getPutsList()) {
        w.writeNewest(Mutation.put(put.getKey().toByteArray(), put.getValue().toByteArray()),
            ts);
      }
      for (DeletePb del : cmd.getDeletesList()) {
        w.writeNewest(Mutation.delete(del.getKey().toByteArray()), ts);
      }
      return ApplyResult.OK;
    } catch (MvccException | IllegalArgumentException ex) {
      return new ApplyResult(false, null, ex);
    }
  }

  private ApplyResult compareAndSet(CasPb cas, long ts, ReadOptions view, MvccWriter w) {
    byte[] key = cas.getKey().toByteArray();
    if (!descriptor.contains(key)) {
      return new ApplyResult(false, null, new RangeException.KeyOutsideRange(descriptor));
    }
    byte[] current = new MvccReader(store, view, gcSafePoint).get(key, Long.MAX_VALUE);
    boolean matches = cas.getExpectAbsent() ? current == null
        : current != null && Arrays.equals(current, cas.getExpected().toByteArray());
    if (!matches) {
      return new ApplyResult(false, current, null);
    }
    w.writeNewest(cas.getDelete() ? Mutation.delete(key)
        : Mutation.put(key, cas.getValue().toByteArray()), ts);
    return new ApplyResult(true, current, null);
  }

  /**
   * Stores each meta record unless its key holds one as new or newer. Several records for one
   * key in one command: the newest counts (the batch's own writes are invisible to reads).
   * A stored value that is no record at all is replaced, alike on every replica.
   */
  private ApplyResult updateMeta(MetaUpdatePb update, long ts, ReadOptions view, MvccWriter w) {
    Map<ByteBuffer, RangeMetaPb> newest = new LinkedHashMap<>();
    for (RangeMetaPb r : update.getRecordsList()) {
      byte[] key = RangeMeta.key(r.getRange().getEndKey().toByteArray());
      if (!descriptor.contains(key)) {
        return new ApplyResult(false, null, new RangeException.KeyOutsideRange(descriptor));
      }
      newest.merge(ByteBuffer.wrap(key), r, (a, b) -> RangeMeta.supersedes(b, a) ? b : a);
    }
    MvccReader reader = new MvccReader(store, view, gcSafePoint);
    for (Map.Entry<ByteBuffer, RangeMetaPb> e : newest.entrySet()) {
      byte[] key = e.getKey().array();
      byte[] current = reader.get(key, Long.MAX_VALUE);
      RangeMetaPb stored;
      try {
        stored = current == null ? null : RangeMeta.decode(key, current);
      } catch (IllegalStateException corrupt) {
        stored = null;
      }
      RangeMetaPb rec = e.getValue();
      if (RangeMeta.supersedes(rec, stored) && !RangeMeta.overtaken(rec, next(reader, key))) {
        w.writeNewest(Mutation.put(key, rec.toByteArray()), ts);
        // Records ending inside this range's span are older (a merge left the left range's
        // old end behind): a lookup must never find them.
        for (var old : reader.scan(RangeMeta.interiorStart(rec), key, Long.MAX_VALUE, 1000,
            false)) {
          RangeMetaPb o;
          try {
            o = RangeMeta.decode(old.key(), old.value());
          } catch (IllegalStateException corrupt) {
            continue;
          }
          if (o.getRange().getGeneration() < rec.getRange().getGeneration()) {
            w.writeNewest(Mutation.delete(old.key()), ts);
          }
        }
      }
    }
    return ApplyResult.OK;
  }

  /** The meta record stored right after {@code key}, or null. */
  private static RangeMetaPb next(MvccReader reader, byte[] key) {
    byte[] after = Arrays.copyOf(key, key.length + 1);
    var found = reader.scan(after, RangeMeta.PREFIX_END, Long.MAX_VALUE, 1, false);
    if (found.isEmpty()) {
      return null;
    }
    try {
      return RangeMeta.decode(found.get(0).key(), found.get(0).value());
    } catch (IllegalStateException corrupt) {
      return null;
    }
  }

  /** Serves reads whose index is applied now. */
  void serveReads() {
    while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.peekFirst().index() <= applied) {
      readsAwaitingApply.pollFirst().serve().run();
    }
  }

  /**
   * Fails everything waiting on this replica: it is being removed from the store. Queued
   * writes and reads fail with {@code notHere} (safe to retry elsewhere); proposals already in
   * the log may still commit through the range's other members, so they fail with an error
   * that leaves the outcome open.
   */
  void failAll(RangeException notHere, long self) {
    failAll(notHere, new IllegalStateException("range " + rangeId + ": its replica on"
        + " node " + self + " was removed while the write was in the log; it may still apply"));
  }

  /**
   * As {@link #failAll(RangeException, long)}, with {@code open} for the proposals in the log
   * (a merged range's are certainly not applied: everything after its freeze is refused).
   */
  void failAll(RangeException notHere, RuntimeException open) {
    proposals.values().forEach(p -> p.futures().forEach(f -> f.completeExceptionally(open)));
    proposals.clear();
    queued.forEach(q -> q.future().completeExceptionally(notHere));
    queued.clear();
    readsAwaitingIndex.values().forEach(w -> w.future().completeExceptionally(notHere));
    readsAwaitingIndex.clear();
    readsAwaitingApply.forEach(p -> p.future().completeExceptionally(notHere));
    readsAwaitingApply.clear();
  }

  boolean hasPendingWork() {
    return !proposals.isEmpty() || !readsAwaitingIndex.isEmpty()
        || !readsAwaitingApply.isEmpty();
  }
}
