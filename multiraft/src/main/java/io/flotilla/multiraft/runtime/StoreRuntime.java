package io.flotilla.multiraft.runtime;

import com.google.protobuf.ByteString;
import io.flotilla.kv.RaftHardState;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.WalBatch;
import io.flotilla.kv.mvcc.MvccReader;
import io.flotilla.kv.snapshot.IncomingSnapshot;
import io.flotilla.kv.snapshot.SnapshotManifest;
import io.flotilla.multiraft.EngineRaftStorage;
import io.flotilla.multiraft.proto.AbandonMergePb;
import io.flotilla.multiraft.proto.ApplyStatePb;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.CommitMergePb;
import io.flotilla.multiraft.proto.PrepareMergePb;
import io.flotilla.multiraft.proto.RangeDescriptorPb;
import io.flotilla.multiraft.proto.ReplicaTombstonePb;
import io.flotilla.multiraft.proto.SplitPb;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.transport.Envelope;
import io.flotilla.multiraft.transport.Transport;
import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.Message;
import io.flotilla.raft.ProposalId;
import io.flotilla.raft.ProposalRejectedException;
import io.flotilla.raft.RaftConfig;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.ReadState;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteBatch;

/**
 * Hosts every replica of one node and drives them all. Threads (fixed, whatever the number of
 * ranges): one <b>raft thread</b> that owns every replica and runs the cycle, and one
 * <b>ticker</b> that only enqueues a tick every {@code tickMillis}. Everything else (transport
 * threads, client RPC threads) talks to replicas by putting work in the raft thread's inbox.
 *
 * <p>One cycle: run the queued work (ticks, inbound messages, proposals, reads); propose each
 * range's writes of this cycle as one log entry; collect the Ready of every replica with work;
 * send the messages that need no persistence; write every Ready's entries and hard state in
 * <b>one</b> WAL batch (one fsync, unless only commit indexes moved); send the messages that
 * promised that state; apply every replica's committed entries in <b>one</b> store write
 * ({@link ApplyBatch}), then answer their proposers; advance.
 *
 * <p><b>Log compaction and snapshots.</b> After applying, a range whose log outgrew its
 * threshold is compacted ({@link LogCompactor}). A follower whose entries are gone gets a
 * snapshot of the range's data at the leader's applied index: pinned on the raft thread,
 * exported and streamed on the transport's snapshot-sending threads (GrpcTransport: {@code
 * flotilla-snapshot-send-<node>}, no thread of the runtime's own), at most two at a time
 * ({@link SnapshotShipper}); the receiver ingests it together with its apply state before the
 * cycle writes the snapshot's log changes ({@link SnapshotInstaller}).
 *
 * <p><b>Removal.</b> A replica that applies its own removal is removed from the store once its
 * last Ready is sent; the replica GC removes others through {@link #removeReplica}. Data, log and
 * state go crash-safely behind a tombstone that keeps stale messages from re-creating the
 * replica ({@link ReplicaTombstones}).
 *
 * <p><b>Merges.</b> A range frozen for a merge refuses every request; the left range's replica
 * that applies the merge takes the right range's span and retires its replica in the same write
 * ({@link Merges}).
 *
 * <p><b>Quiescence.</b> A leader whose range is idle and fully caught up sends its followers a
 * quiesce heartbeat and stops ticking; so do they. Any proposal, read or message wakes a replica.
 * When a node's connection dies, only the replicas that followed a leader on that node wake up
 * (to elect a new one): idle ranges led elsewhere stay quiet.
 */
public final class StoreRuntime implements Transport.Handler, AutoCloseable {
  private final long nodeId;
  private final Store store;
  private final RaftLogStore logs;
  private final Transport transport;
  private final RuntimeOptions options;
  private final LongSupplier clock;
  private final SplittableRandom random;
  private final LogCompactor compactor;
  private final SnapshotShipper shipper;
  private final SnapshotInstaller installer;

  private final LinkedBlockingQueue<Runnable> inbox;
  private final ScheduledExecutorService ticker;
  private final Thread raftThread;
  private volatile boolean running;
  private volatile Supplier<CompletableFuture<Long>> tso;

  // Owned by the raft thread.
  private final Map<Long, Replica> replicas = new HashMap<>();
  private final LinkedHashSet<Replica> awake = new LinkedHashSet<>();
  private final LinkedHashSet<Replica> active = new LinkedHashSet<>();
  /** Replicas with writes queued for this cycle's batch entries. */
  private final LinkedHashSet<Replica> proposing = new LinkedHashSet<>();
  private final RangePublisher publisher = new RangePublisher();
  /** Ranges whose replica this store removed ({@link ReplicaTombstones}). */
  private Map<Long, ReplicaTombstonePb> tombstones = new HashMap<>();
  /** Replicas that applied their own removal, removed once their last Ready is handled. */
  private final LinkedHashSet<Replica> leaving = new LinkedHashSet<>();
  /** Replicas whose merge waits for this store's replica of the right range ({@link Merges}). */
  private final LinkedHashSet<Replica> waitingToMerge = new LinkedHashSet<>();
  /** Right halves of splits applied in the current cycle, activated at its end. */
  private final List<Replica> created = new ArrayList<>();
  private long replicasRemoved;
  private final ApplyBatch applying;
  private long readSeq;
  private long cycles;
  private long walBatches;
  private long proposals;
  private long entries;
  private long compactions;
  private long snapshotsInstalled;
  private long onePhaseCommits;
  private long onePhaseRefused;
  private long appliedCount;
  private long ticks;
  private long quiesced;
  private long woken;
  private long elections;

  private volatile RuntimeStats stats = new RuntimeStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  public StoreRuntime(long nodeId, Store store, RaftLogStore logs, Transport transport,
      RuntimeOptions options, LongSupplier clockMillis) {
    this.nodeId = nodeId;
    this.store = store;
    this.logs = logs;
    this.transport = transport;
    this.options = options;
    this.clock = clockMillis;
    this.random = new SplittableRandom(nodeId * 7919 + clockMillis.getAsLong());
    this.applying = new ApplyBatch(store);
    this.inbox = new LinkedBlockingQueue<>(options.inboxCapacity());
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ticker-" + nodeId));
    this.raftThread = daemon(this::loop, "raft-" + nodeId);
    this.compactor = new LogCompactor(logs, options);
    this.installer = new SnapshotInstaller(store);
    this.shipper = new SnapshotShipper(store, transport, this::enqueueReliably,
        (rangeId, to, accepted) -> {
          Replica r = replicas.get(rangeId);
          if (r != null) {
            r.node.reportSnapshot(to, accepted);
            activate(r);
          }
        });
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public long nodeId() {
    return nodeId;
  }

  /** Loads this store's replicas, connects the transport and starts the threads. */
  public void start() {
    SnapshotInstaller.recover(store);
    List<ApplyStatePb> states = retireObsolete(ApplyStates.loadAll(store));
    // Removals a crash interrupted are finished before anything opens.
    tombstones = ReplicaTombstones.finishPending(store, logs, states.stream()
        .map(st -> RangeDescriptor.fromProto(st.getRange())).toList());
    for (ApplyStatePb st : states) {
      SnapshotInstaller.alignLog(logs, st);
      openReplica(st);
    }
    running = true;
    transport.start(this);
    raftThread.start();
    ticker.scheduleAtFixedRate(() -> inbox.offer(this::tickAll), options.tickMillis(),
        options.tickMillis(), TimeUnit.MILLISECONDS);
  }

  // ------------------------------------------------------------------ public API (any thread)

  /** Creates a range on this node from nothing: how a cluster's first node starts its ranges. */
  public CompletableFuture<Void> createRange(RangeDescriptor d) {
    return call(() -> {
      if (replicas.containsKey(d.rangeId())) {
        throw new IllegalStateException("range " + d.rangeId() + " exists already");
      }
      createLocally(d, 0, 0, RaftHardState.EMPTY);
      return null;
    });
  }

  /**
   * Proposes a write command on a range's leader; completes once it is applied here. Plain
   * writes that reach a range in the same cycle share one log entry ({@link Replica#proposeQueued}).
   */
  public CompletableFuture<ApplyResult> propose(long rangeId, byte[] routingKey,
      CommandPb command) {
    CompletableFuture<ApplyResult> f = new CompletableFuture<>();
    enqueue(f, () -> {
      Replica r = leaderReplica(rangeId, routingKey);
      if (r.frozenAt > 0) {
        throw r.frozenError();
      }
      if (command.hasSplit() || command.hasMetaUpdate() || command.hasPrepareMerge()
          || command.hasCommitMerge() || command.hasAbandonMerge()) {
        proposeAlone(r, command, f);
        return;
      }
      r.load.write(routingKey, command.getSerializedSize());
      r.queued.add(new Replica.Queued(command, f));
      proposing.add(r);
    });
    return f;
  }

  /** Proposes {@code command} alone in its entry, after the writes that arrived before it. */
  private ProposalId proposeAlone(Replica r, CommandPb command,
      CompletableFuture<ApplyResult> f) {
    proposeQueued(r);
    long ts = r.nextTimestamp(clock.getAsLong());
    byte[] data = command.toBuilder().setTimestamp(ts).build().toByteArray();
    ProposalId id = r.orRangeError(() -> r.node.propose(data));
    r.proposals.put(id.index(), new Replica.Pending(id.term(), List.of(f)));
    proposals++;
    entries++;
    return id;
  }

  /**
   * Freezes the right range of a merge ({@link Merges}, step 1) on its leader here; completes
   * with the freeze once it is applied here. A range already frozen for the same left range
   * answers that freeze (with the left generation it names, whatever {@code leftGeneration}
   * says) at once, so a merge interrupted anywhere can be asked again.
   *
   * @throws IllegalStateException (through the future) if the range is frozen for another
   *     range; a refused freeze fails with the refusal ({@link RangeException.ProposalDropped})
   */
  public CompletableFuture<MergeFreeze> prepareMerge(long rightId, long rightGeneration,
      long leftId, long leftGeneration) {
    CompletableFuture<MergeFreeze> out = new CompletableFuture<>();
    enqueue(out, () -> {
      Replica r = leaderReplica(rightId, null);
      if (r.frozenAt > 0) {
        if (r.mergeTarget != leftId) {
          throw new IllegalStateException("range " + rightId + " is frozen for a merge into"
              + " range " + r.mergeTarget);
        }
        out.complete(r.freeze());
        return;
      }
      CompletableFuture<ApplyResult> applied = new CompletableFuture<>();
      long index = proposeAlone(r, CommandPb.newBuilder().setPrepareMerge(PrepareMergePb
          .newBuilder().setTargetRangeId(leftId).setTargetGeneration(leftGeneration)
          .setGeneration(rightGeneration)).build(), applied).index();
      applied.whenComplete((res, e) -> {
        if (e != null) {
          out.completeExceptionally(e);
        } else if (res.error() != null) {
          out.completeExceptionally(res.error());
        } else {
          out.complete(new MergeFreeze(index, leftId, leftGeneration));
        }
      });
    });
    return out;
  }

  /**
   * Thaws the right range {@code rightId} on its leader here if it is still frozen by {@code
   * freeze}; completes once that is applied here. Only once the left range's log abandoned the
   * freeze ({@link #abandonMerge}), so that no commit of it can apply any more. If the range was
   * frozen again since (a newer freeze), the result's error says so and it stays frozen.
   */
  public CompletableFuture<ApplyResult> thaw(long rightId, MergeFreeze freeze) {
    CompletableFuture<ApplyResult> f = new CompletableFuture<>();
    enqueue(f, () -> proposeAlone(leaderReplica(rightId, null), CommandPb.newBuilder()
        .setPrepareMerge(PrepareMergePb.newBuilder().setTargetRangeId(freeze.leftRangeId())
            .setFreezeIndex(freeze.index()).setAbort(true))
        .build(), f));
    return f;
  }

  /**
   * Proposes the merge of {@code right} (frozen by {@code freeze}, applied there by every
   * replica) into the left range on its leader here ({@link Merges}, step 3), at the left
   * generation the freeze names; completes once it is applied here. The result's error is set
   * if the left range refused it.
   */
  public CompletableFuture<ApplyResult> commitMerge(MergeFreeze freeze, RangeDescriptor right) {
    return propose(freeze.leftRangeId(), null, CommandPb.newBuilder().setCommitMerge(
        CommitMergePb.newBuilder().setRight(right.toProto()).setFreezeIndex(freeze.index())
            .setLeftGeneration(freeze.leftGeneration())).build());
  }

  /**
   * Abandons {@code freeze} of the right range {@code right} through the left range's log, on
   * its leader here ({@link Merges}); completes once that is applied here.
   *
   * @throws RangeException (through the future) if the left range refused it or cannot take it
   *     now (not the leader, frozen itself): the right range must stay frozen
   */
  public CompletableFuture<MergeAbandonment> abandonMerge(MergeFreeze freeze,
      RangeDescriptor right) {
    return propose(freeze.leftRangeId(), null, CommandPb.newBuilder().setAbandonMerge(
        AbandonMergePb.newBuilder().setRight(right.toProto()).setFreezeIndex(freeze.index())
            .setLeftGeneration(freeze.leftGeneration())).build())
        .thenApply(r -> {
          if (r.error() != null) {
            throw r.error();
          }
          return r.ok() ? MergeAbandonment.ABANDONED : MergeAbandonment.ALREADY_MERGED;
        });
  }

  /** Proposes the writes queued on {@code r} (see {@link Replica#proposeQueued}). */
  private void proposeQueued(Replica r) {
    int proposed = r.proposeQueued(clock.getAsLong());
    if (proposed > 0) {
      proposals += proposed;
      entries++;
    }
  }

  /**
   * Serves a transaction's command on a range's leader ({@link TxnApplier}); completes once it
   * is applied here. A refusal by MVCC, or of a one-phase commit ({@link OnePhaseRefused}), is
   * the result's error: nothing was written.
   */
  public CompletableFuture<ApplyResult> txnWrite(long rangeId, TxnCommandPb txn) {
    byte[] key;
    try {
      key = TxnApplier.routingKey(txn);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new ApplyResult(false, null, e));
    }
    CommandPb cmd = CommandPb.newBuilder().setTxn(txn).build();
    if (!txn.hasOnePhase()) {
      return propose(rangeId, key, cmd);
    }
    long commitTs = txn.getOnePhase().getCommitTs();
    CompletableFuture<ApplyResult> f = new CompletableFuture<>();
    enqueue(f, () -> {
      Replica r = leaderReplica(rangeId, key);
      if (r.frozenAt > 0) {
        throw r.frozenError();
      }
      String refusal = r.onePhase.refusal(commitTs, r.node.term());
      if (refusal != null) {
        onePhaseRefused++;
        syncOnePhase(r);
        f.complete(new ApplyResult(false, null, new OnePhaseRefused(rangeId, refusal)));
        return;
      }
      r.load.write(key, cmd.getSerializedSize());
      ProposalId id = proposeAlone(r, cmd, f);
      r.onePhase.proposed(id.index(), commitTs);
      onePhaseCommits++;
    });
    return f;
  }

  /** A snapshot read of one key at {@code readTs}; a lock that may hide a version fails it. */
  public CompletableFuture<byte[]> txnGet(long rangeId, byte[] key, long readTs) {
    if (readTs < 1) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "read ts must be at least 1, not " + readTs));
    }
    return read(rangeId, key, readTs, r -> {
      try (ReadOptions view = new ReadOptions()) {
        return new MvccReader(store, view, r.gcSafePoint).get(key, readTs);
      }
    });
  }

  /** A snapshot scan of [start, end) at {@code readTs}, clipped to the range's end. */
  public CompletableFuture<ScanResult> txnScan(long rangeId, byte[] start, byte[] end,
      int limit, long readTs) {
    if (readTs < 1) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "read ts must be at least 1, not " + readTs));
    }
    return read(rangeId, start, readTs, r -> {
      byte[] rangeEnd = r.descriptor.endKey();
      byte[] stop = end.length == 0 ? rangeEnd : rangeEnd.length == 0 ? end
          : java.util.Arrays.compareUnsigned(end, rangeEnd) < 0 ? end : rangeEnd;
      try (ReadOptions view = new ReadOptions()) {
        return new ScanResult(new MvccReader(store, view, r.gcSafePoint).scan(start, stop,
            readTs, limit, false), rangeEnd);
      }
    });
  }

  /**
   * Where one-phase commits get their TSO timestamps from ({@link OnePhaseGate}): a fresh
   * timestamp per call. Without one, every one-phase commit is refused (clients then commit in
   * two phases).
   */
  public void useTimestamps(Supplier<CompletableFuture<Long>> tso) {
    this.tso = tso;
  }

  /** Starts a TSO sync for the leader replica {@code r}'s term, if it needs one. */
  private void syncOnePhase(Replica r) {
    Supplier<CompletableFuture<Long>> source = tso;
    long term = r.node.term();
    if (source == null || r.node.role() != Role.LEADER
        || !r.onePhase.startSync(term, clock.getAsLong())) {
      return;
    }
    long merges = r.onePhase.merges();
    CompletableFuture<Long> ts;
    try {
      ts = source.get();
    } catch (RuntimeException e) {
      ts = CompletableFuture.failedFuture(e);
    }
    // A full inbox drops the answer: the sync counts as lost and the next refusal starts one.
    ts.whenComplete((t, e) -> inbox.offer(() -> r.onePhase.synced(term, merges,
        e == null ? t : 0,
        replicas.get(r.rangeId) == r && r.node.role() == Role.LEADER
            && r.node.term() == term)));
  }

  /** A linearizable read of one key at the range's latest state. */
  public CompletableFuture<byte[]> get(long rangeId, byte[] key) {
    return read(rangeId, key, key, r -> new MvccReader(store, new ReadOptions())
        .get(key, Long.MAX_VALUE));
  }

  /**
   * A linearizable scan of [start, end) within one range, clipped to the range's end; the
   * result says which end that was.
   */
  public CompletableFuture<ScanResult> scan(long rangeId, byte[] start, byte[] end,
      int limit) {
    return read(rangeId, start, start, r -> {
      byte[] rangeEnd = r.descriptor.endKey();
      byte[] stop = end.length == 0 ? rangeEnd : rangeEnd.length == 0 ? end
          : java.util.Arrays.compareUnsigned(end, rangeEnd) < 0 ? end : rangeEnd;
      return new ScanResult(new MvccReader(store, new ReadOptions()).scan(start, stop,
          Long.MAX_VALUE, limit, false), rangeEnd);
    });
  }

  /**
   * Splits a range at {@code splitKey}; the right half becomes a new range and Raft group, free
   * to be merged back by the placement driver.
   */
  public CompletableFuture<ApplyResult> split(long rangeId, byte[] splitKey) {
    return split(rangeId, splitKey, 0);
  }

  /**
   * Splits a range at {@code splitKey}; the right half becomes a new range and Raft group that
   * the placement driver leaves split until {@code stickyUntilMillis} ({@link
   * RangeDescriptor#stickyUntilMillis}).
   */
  public CompletableFuture<ApplyResult> split(long rangeId, byte[] splitKey,
      long stickyUntilMillis) {
    // Not the raft thread's random: this runs on the caller's thread.
    long newId = (java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1) | 1;
    CommandPb cmd = CommandPb.newBuilder().setSplit(SplitPb.newBuilder()
        .setSplitKey(ByteString.copyFrom(splitKey)).setNewRangeId(newId)
        .setStickyUntilMillis(stickyUntilMillis)).build();
    return propose(rangeId, splitKey, cmd);
  }

  /** Changes a range's members; completes once the change is applied here. */
  public CompletableFuture<ApplyResult> changeMembers(long rangeId, ConfChange change) {
    return changeMembers(rangeId, -1, change);
  }

  /**
   * Changes a range's members if they are still those set at {@code expectedMembersIndex} (the
   * descriptor's {@code membersIndex}; negative: whatever they are); completes once the change
   * is applied here.
   *
   * @throws IllegalStateException (through the future) naming the range if the members changed
   */
  public CompletableFuture<ApplyResult> changeMembers(long rangeId, long expectedMembersIndex,
      ConfChange change) {
    CompletableFuture<ApplyResult> f = new CompletableFuture<>();
    enqueue(f, () -> {
      Replica r = leaderReplica(rangeId, null);
      if (r.frozenAt > 0) {
        throw r.frozenError();
      }
      if (!r.deferred.isEmpty()) {
        throw new RangeException.ProposalDropped(rangeId, "it is applying a merge; retry");
      }
      if (expectedMembersIndex >= 0 && r.descriptor.membersIndex() != expectedMembersIndex) {
        throw new IllegalStateException("range " + rangeId + ": its members changed (last set"
            + " at index " + r.descriptor.membersIndex() + ", expected " + expectedMembersIndex
            + "); read the range again");
      }
      ProposalId id = r.orRangeError(() -> r.node.proposeConfChange(change));
      r.proposals.put(id.index(), new Replica.Pending(id.term(), List.of(f)));
    });
    return f;
  }

  /** Asks a range's leader to hand leadership to {@code target}. */
  public CompletableFuture<Void> transferLeader(long rangeId, long target) {
    return call(() -> {
      Replica r = leaderReplica(rangeId, null);
      r.orRangeError(() -> {
        r.node.transferLeadership(target);
        return null;
      });
      return null;
    });
  }

  /**
   * This node's current view of one range, read on the raft thread (so it follows every
   * message and proposal handed to the runtime before it); empty if the node holds no
   * initialized replica of it.
   */
  public CompletableFuture<java.util.Optional<RangeInfo>> rangeInfo(long rangeId) {
    return call(() -> {
      Replica r = replicas.get(rangeId);
      return r == null || !r.initialized() ? java.util.Optional.empty()
          : java.util.Optional.of(RangePublisher.info(r));
    });
  }

  /**
   * Removes this node's replica of a range that a newer descriptor (from the meta records or
   * the range's leader, at {@code newerTerm}) shows it is no longer a member of, as the replica
   * GC decides. Completes with false, changing nothing, if the replica is gone already, leads
   * its range, or its own descriptor is not older than {@code newer} (see {@link
   * #isRemovedBy}).
   */
  public CompletableFuture<Boolean> removeReplica(long rangeId, RangeDescriptor newer,
      long newerTerm) {
    return call(() -> {
      Replica r = replicas.get(rangeId);
      if (r == null || r.node.role() == Role.LEADER || !isRemovedBy(nodeId, r.descriptor, newer)) {
        return false;
      }
      destroy(r, newer.membersIndex(), newerTerm);
      return true;
    });
  }

  /**
   * Whether {@code newer}, a descriptor of the same range that the range applied, shows that
   * node {@code self} holding {@code mine} was removed: it does not list {@code self}, and it
   * is from a later membership than {@code mine} (members indexes only grow), or {@code mine}
   * never knew its members (an empty replica a leader's message started).
   */
  public static boolean isRemovedBy(long self, RangeDescriptor mine, RangeDescriptor newer) {
    if (newer.rangeId() != mine.rangeId() || ReplicaTombstones.isMember(newer.members(), self)) {
      return false;
    }
    boolean known = !mine.members().voters().isEmpty() || !mine.members().learners().isEmpty()
        || !mine.members().votersOutgoing().isEmpty();
    return !known || newer.membersIndex() > mine.membersIndex();
  }

  /** How many replicas this runtime removed since it started. */
  public long replicasRemoved() {
    return replicasRemoved;
  }

  /** The ranges on this node as of the last tick. */
  public List<RangeInfo> ranges() {
    return publisher.published();
  }

  public RuntimeStats stats() {
    return stats;
  }

  @Override
  public void close() {
    running = false;
    ticker.shutdownNow();
    inbox.offer(() -> { });
    try {
      raftThread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!raftThread.isAlive()) {
      applying.close();
    }
    transport.close();
    shipper.close();
    installer.close();
  }

  // ------------------------------------------------------------------ transport callbacks

  @Override
  public void onMessages(long fromNode, List<Envelope> envelopes) {
    // Dropping on overload is safe: Raft retransmits.
    inbox.offer(() -> {
      for (Envelope e : envelopes) {
        deliver(e);
      }
    });
  }

  @Override
  public void onSnapshot(long fromNode, Envelope installSnapshot, IncomingSnapshot staged,
      SnapshotManifest manifest) {
    ApplyStatePb state;
    try {
      state = SnapshotInstaller.check(installSnapshot, staged, manifest);
    } catch (RuntimeException e) {
      staged.close();
      throw e;
    }
    Runnable install = () -> {
      if (installer.stage(installSnapshot, staged, manifest, state)) {
        deliver(installSnapshot);
      }
    };
    if (!running || !inbox.offer(install)) {
      staged.close();
      throw new RejectedExecutionException("node " + nodeId + " cannot take the snapshot of"
          + " range " + installSnapshot.rangeId() + " now: its raft inbox is full");
    }
  }

  @Override
  public void onUnreachable(Envelope envelope) {
    inbox.offer(() -> {
      Replica r = replicas.get(envelope.rangeId());
      if (r != null) {
        r.node.reportUnreachable(envelope.message().to());
        activate(r);
      }
    });
  }

  @Override
  public void onPeerDown(long node) {
    inbox.offer(() -> {
      for (Replica r : replicas.values()) {
        if (r.quiescent && r.node.leader() == node) {
          wake(r);
        }
      }
    });
  }

  @Override
  public void onPeerUp(long node) {
    // Nothing to do: quiet ranges stay quiet, awake ones are already talking.
  }

  // ------------------------------------------------------------------ the raft thread

  private void loop() {
    while (running) {
      try {
        // A replica that handled a Ready may have another at once (a leader whose own write
        // completes a quorum commits on advance): its cycle must not wait for the next message.
        Runnable first = active.isEmpty()
            ? inbox.poll(options.tickMillis(), TimeUnit.MILLISECONDS) : inbox.poll();
        if (first == null && active.isEmpty()) {
          continue;
        }
        if (first != null) {
          first.run();
        }
        for (int i = 0; i < 10_000; i++) {
          Runnable next = inbox.poll();
          if (next == null) {
            break;
          }
          next.run();
        }
        cycle();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (running) {
          System.err.println("raft thread of node " + nodeId + ": " + e);
          e.printStackTrace();
        }
      }
    }
  }

  private void cycle() {
    for (Replica r : proposing) {
      proposeQueued(r);
    }
    proposing.clear();
    List<Replica> withWork = new ArrayList<>();
    List<Ready> readies = new ArrayList<>();
    WalBatch batch = new WalBatch();
    List<Replica> installed = new ArrayList<>();
    for (Replica r : active) {
      if (r.node.hasReady()) {
        Ready rd = r.node.ready();
        withWork.add(r);
        readies.add(rd);
        if (rd.softState() != null && (rd.softState().role() == Role.CANDIDATE
            || rd.softState().role() == Role.PRE_CANDIDATE)) {
          elections++;
        }
        sendAll(r, rd.messages());
        if (installer.beforePersist(r, rd)) {
          snapshotsInstalled++;
          installed.add(r);
        }
        EngineRaftStorage.persist(batch, r.rangeId, rd);
      }
    }
    active.clear();
    if (withWork.isEmpty()) {
      // Messages the runtime sent itself (quiesce heartbeats) still leave this cycle.
      transport.flush();
      return;
    }
    cycles++;
    transport.flush();
    if (!batch.isEmpty()) {
      logs.commit(batch);
      walBatches++;
    }
    // Everything this cycle applies was made durable by an earlier cycle (or by the one above),
    // so applying after the WAL write never applies an entry a crash could take back.
    created.clear();
    for (Replica r : installed) {
      retireCoveredBy(r);
    }
    retryDeferred();
    for (int i = 0; i < withWork.size(); i++) {
      Replica r = withWork.get(i);
      Ready rd = readies.get(i);
      if (replicas.get(r.rangeId) != r) {
        continue; // merged away (or a placeholder given way) earlier in this cycle
      }
      sendAll(r, rd.messagesAfterPersist());
      applyCommitted(r, rd.committedEntries());
      r.onePhase.applied(r.applied);
      for (ReadState rs : rd.readStates()) {
        Replica.AwaitingIndex waiting = r.readsAwaitingIndex.remove(rs.requestId());
        if (waiting != null) {
          long index = rs.index();
          if (waiting.readTs() > 0) {
            index = Math.max(index, r.onePhase.barrier(waiting.readTs()));
          }
          r.readsAwaitingApply.add(new Replica.PendingRead(index, waiting.serve(),
              waiting.future()));
        }
      }
      r.node.advance(rd);
    }
    applying.flush();
    for (int i = 0; i < withWork.size(); i++) {
      Replica r = withWork.get(i);
      Ready rd = readies.get(i);
      if (replicas.get(r.rangeId) != r) {
        continue;
      }
      // Only once the applied index that covers the truncated prefix is written: RocksDB
      // recovers a prefix of its log, so the log's start can never pass the applied index.
      if (compactor.afterApply(r)) {
        compactions++;
      }
      r.serveReads();
      if (rd.softState() != null && rd.softState().role() != Role.LEADER) {
        failReads(r);
        r.onePhase.leadershipLost();
      } else if (rd.softState() != null) {
        syncOnePhase(r);
      }
      activate(r);
    }
    transport.flush();
    for (Replica right : created) {
      activate(right);
    }
    created.clear();
    removeLeaving();
  }

  /**
   * Applies committed entries in order: splits create their right half, merges retire the
   * right range's replica; from a merge that must wait on, entries queue ({@link
   * Replica#deferred}) for {@link #retryDeferred}.
   */
  private void applyCommitted(Replica r, List<Entry> committed) {
    if (committed.isEmpty()) {
      return;
    }
    for (Entry e : committed) {
      if (!r.deferred.isEmpty()) {
        r.deferred.add(e);
        continue;
      }
      switch (r.apply(e, applying, this::rightReadyFor)) {
        case null -> appliedCount++;
        case Replica.Deferred d -> {
          r.deferred.add(e);
          waitingToMerge.add(r);
        }
        case Replica.AppliedSplit split -> {
          appliedCount++;
          // The left half's new span is written before the right half exists anywhere.
          r.recordApplied(applying);
          applying.flush();
          Replica right = createRightHalf(r, split);
          if (right != null) {
            created.add(right);
          }
        }
        case Replica.AppliedMerge merge -> {
          appliedCount++;
          // The left range's new span and the right range's end, in one write.
          r.recordApplied(applying);
          retire(merge.right(), r.rangeId);
          r.onePhase.merged();
          syncOnePhase(r);
        }
      }
    }
    r.recordApplied(applying);
    if (r.removedAt > 0) {
      leaving.add(r);
    }
  }

  /** Applies the entries of merges that waited, once they can go on. */
  private void retryDeferred() {
    for (Replica r : new ArrayList<>(waitingToMerge)) {
      if (replicas.get(r.rangeId) == r && !r.deferred.isEmpty()) {
        List<Entry> again = new ArrayList<>(r.deferred);
        r.deferred.clear();
        applyCommitted(r, again);
        r.serveReads();
      }
      if (replicas.get(r.rangeId) != r || r.deferred.isEmpty()) {
        waitingToMerge.remove(r);
      }
    }
  }

  /**
   * This store's replica of the right range of {@code commit}, brought to its freeze (from its
   * own log if it applied less: the commit proves those entries committed), or null if it
   * cannot be yet: see {@link Merges}.
   */
  private Replica rightReadyFor(Replica left, CommitMergePb commit) {
    long freeze = commit.getFreezeIndex();
    Replica right = replicas.get(commit.getRight().getRangeId());
    if (right != null && right.initialized() && right.applied < freeze
        && right.deferred.isEmpty()) {
      EngineRaftStorage log = new EngineRaftStorage(logs, right.rangeId);
      if (log.firstIndex() <= right.applied + 1 && log.lastIndex() >= freeze) {
        applyCommitted(right, log.entries(right.applied + 1, freeze + 1, Long.MAX_VALUE));
      }
    }
    if (right == null || right.frozenAt != freeze || right.mergeTarget != left.rangeId
        || right.applied < freeze) {
      if (!waitingToMerge.contains(left)) {
        System.err.println("node " + nodeId + ": range " + left.rangeId + " waits to merge"
            + " range " + commit.getRight().getRangeId() + " (frozen at " + freeze + "): its"
            + " replica here is " + (right == null ? "missing" : "at " + right.applied
            + ", frozen at " + right.frozenAt + " for " + right.mergeTarget));
      }
      return null;
    }
    return right;
  }

  /**
   * Retires the replica {@code r} of a range that range {@code into} took over, keeping its
   * data: with whatever the apply batch holds (the merge's new descriptor), in one write.
   */
  private void retire(Replica r, long into) {
    RaftHardState h = logs.group(r.rangeId).hardState();
    ReplicaTombstonePb t = ReplicaTombstones.retire(store, logs, applying.batch(), r.descriptor,
        into, h.term(), h.vote());
    applying.flush();
    logs.forget(r.rangeId);
    unregister(r);
    tombstones.put(r.rangeId, t);
    RangeException gone = new RangeException.RangeNotFound(r.rangeId, "range " + r.rangeId
        + " was merged into range " + into + "; look the key up again");
    r.failAll(gone, new RangeException.ProposalDropped(r.rangeId, "the range was merged into"
        + " range " + into));
    replicasRemoved++;
  }

  /** Retires the replicas whose range {@code r}'s newly installed snapshot took over. */
  private void retireCoveredBy(Replica r) {
    for (Replica o : new ArrayList<>(replicas.values())) {
      if (Merges.obsolete(o.descriptor, r.descriptor)) {
        retire(o, r.rangeId);
      }
    }
  }

  /**
   * Retires, before anything opens, the replicas a crash left behind after a snapshot of the
   * range that absorbed them (see {@link Merges}); returns the apply states of the others.
   */
  private List<ApplyStatePb> retireObsolete(List<ApplyStatePb> states) {
    List<RangeDescriptor> all = states.stream()
        .map(st -> RangeDescriptor.fromProto(st.getRange())).toList();
    List<ApplyStatePb> kept = new ArrayList<>();
    for (int i = 0; i < states.size(); i++) {
      RangeDescriptor d = all.get(i);
      RangeDescriptor by = all.stream().filter(o -> Merges.obsolete(d, o)).findFirst()
          .orElse(null);
      if (by == null) {
        kept.add(states.get(i));
        continue;
      }
      RaftHardState h = logs.group(d.rangeId()).hardState();
      try (WriteBatch b = new WriteBatch()) {
        ReplicaTombstones.retire(store, logs, b, d, by.rangeId(), h.term(), h.vote());
        store.write(b);
      }
      logs.forget(d.rangeId());
    }
    return kept;
  }

  /** Drops a replica from the runtime's structures (its state on disk is the caller's). */
  private void unregister(Replica r) {
    replicas.remove(r.rangeId);
    awake.remove(r);
    active.remove(r);
    proposing.remove(r);
    leaving.remove(r);
    waitingToMerge.remove(r);
    publisher.changed(r);
    installer.discard(r.rangeId);
  }

  /**
   * Removes the replicas that applied their own removal, once everything they had to say is
   * sent (a removed leader hands over with a TimeoutNow in the Ready after the one that applied
   * the change). A later conf change that added this node back (applied in the same cycle)
   * cancels it.
   */
  private void removeLeaving() {
    for (java.util.Iterator<Replica> it = leaving.iterator(); it.hasNext(); ) {
      Replica r = it.next();
      if (replicas.get(r.rangeId) != r || r.removedAt == 0) {
        it.remove();
      } else if (!r.node.hasReady()) {
        it.remove();
        destroy(r, r.removedAt, r.node.term());
      }
    }
  }

  /** Removes a replica and its data from this store ({@link ReplicaTombstones}); raft thread. */
  private void destroy(Replica r, long removedIndex, long knownTerm) {
    applying.flush();
    RaftHardState h = logs.group(r.rangeId).hardState();
    ReplicaTombstonePb old = tombstones.get(r.rangeId);
    ReplicaTombstonePb t = ReplicaTombstonePb.newBuilder()
        .setRemovedIndex(Math.max(removedIndex, old == null ? 0 : old.getRemovedIndex()))
        .setTerm(Math.max(h.term(), knownTerm)).setVote(knownTerm > h.term() ? 0 : h.vote())
        .setRange(r.descriptor.toProto()).build();
    ReplicaTombstones.begin(store, t);
    unregister(r);
    List<RangeDescriptor> others = new ArrayList<>();
    for (Replica o : replicas.values()) {
      others.add(o.descriptor);
    }
    tombstones.put(r.rangeId, ReplicaTombstones.finish(store, logs, t, others));
    r.failAll(new RangeException.RangeNotFound(r.rangeId), nodeId);
    replicasRemoved++;
  }

  private void sendAll(Replica r, List<Message> msgs) {
    for (Message m : msgs) {
      Envelope env = new Envelope(r.rangeId, m);
      if (m instanceof Message.InstallSnapshot) {
        shipper.ship(r, env); // with the range's data; reported to the core once it is sent
      } else {
        transport.send(env);
      }
    }
  }

  private void deliver(Envelope e) {
    Replica r = replicas.get(e.rangeId());
    Message m = e.message();
    if (m instanceof Message.InstallSnapshot s && !installer.holds(e.rangeId(), s)) {
      return; // without its data (an older node's?): installing it would lose the range's data
    }
    if (r == null) {
      if (!(m instanceof Message.Append || m instanceof Message.Heartbeat
          || m instanceof Message.InstallSnapshot)) {
        return;
      }
      ReplicaTombstonePb removed = tombstones.get(e.rangeId());
      if (removed != null && !bringsBack(removed, m)) {
        answerRemoved(e);
        return;
      }
      if (removed != null) {
        // Keep the term and vote of the removed replica: it must not vote twice in a term.
        logs.commit(new WalBatch().setHardState(e.rangeId(),
            new RaftHardState(removed.getTerm(), removed.getVote(), 0)));
      }
      // A leader talks to us about a range we do not hold yet: we were added to it. Start an
      // empty replica; the leader's snapshot will tell it its span and members.
      r = openReplica(ApplyStatePb.newBuilder().setRange(RangeDescriptorPb.newBuilder()
          .setRangeId(e.rangeId()).setMembers(ByteString.copyFrom(ConfState.EMPTY.encode())))
          .build());
    }
    r.node.step(m);
    if (e.quiesce()) {
      if (r.node.leader() == m.from() && r.node.commitIndex() == r.node.lastIndex()) {
        quiesce(r);
      }
    } else if (!(m instanceof Message.HeartbeatResponse)) {
      if (r.quiescent) {
        wake(r);
      }
      r.idleTicks = 0;
    }
    activate(r);
  }

  /**
   * Whether a message for a range this store removed re-creates its replica: only a snapshot
   * (with its data) at an index after the removal that lists this node, which proves that a
   * later membership added it back. See {@link ReplicaTombstones}.
   */
  private boolean bringsBack(ReplicaTombstonePb removed, Message m) {
    return !removed.getDeleting() && m instanceof Message.InstallSnapshot s
        && s.snapshot().index() > removed.getRemovedIndex()
        && ReplicaTombstones.isMember(s.snapshot().metadata().confState(), nodeId);
  }

  /**
   * Answers a leader's message for a removed range without a replica, at the message's term
   * (so it disturbs no one): an append is refused as by an empty log, a heartbeat acknowledged
   * without confirming any read round. A leader that no longer counts this node ignores both; one
   * that added it back probes down to its log's start and sends a snapshot, which {@link
   * #bringsBack} accepts.
   */
  private void answerRemoved(Envelope e) {
    switch (e.message()) {
      case Message.Append a -> transport.send(new Envelope(e.rangeId(),
          new Message.AppendResponse(nodeId, a.from(), a.term(), a.prevIndex(), true, 0, 0)));
      case Message.Heartbeat h -> transport.send(new Envelope(e.rangeId(),
          new Message.HeartbeatResponse(nodeId, h.from(), h.term(), 0)));
      case Message.InstallSnapshot s -> installer.discard(e.rangeId());
      default -> { }
    }
  }

  private void tickAll() {
    for (Replica r : new ArrayList<>(awake)) {
      // Decide before ticking: a tick's own heartbeat sent after the quiesce heartbeat would
      // wake the followers right back up.
      if (maybeQuiesceLeader(r)) {
        activate(r);
        continue;
      }
      r.node.tick();
      ticks++;
      r.idleTicks++;
      activate(r);
    }
    publish();
  }

  /** Quiets an idle, caught-up leader and its followers; returns whether it did. */
  private boolean maybeQuiesceLeader(Replica r) {
    if (r.node.role() != Role.LEADER || r.idleTicks < options.quiesceAfterTicks()
        || r.hasPendingWork() || r.node.commitIndex() != r.node.lastIndex()) {
      return false;
    }
    var status = r.node.status();
    if (status.leadTransferee() != RaftNode.NONE) {
      return false;
    }
    for (var p : status.progress().values()) {
      if (p.match() != status.lastIndex()) {
        return false;
      }
    }
    for (long peer : status.progress().keySet()) {
      if (peer != nodeId) {
        transport.send(new Envelope(r.rangeId, new Message.Heartbeat(nodeId, peer, r.node.term(),
            r.node.commitIndex(), 0), true));
      }
    }
    quiesce(r);
    return true;
  }

  private void quiesce(Replica r) {
    if (!r.quiescent) {
      publisher.changed(r);
      r.quiescent = true;
      awake.remove(r);
      quiesced++;
    }
  }

  private void wake(Replica r) {
    if (r.quiescent) {
      publisher.changed(r);
      r.quiescent = false;
      r.node.unquiesce();
      awake.add(r);
      woken++;
    }
    r.idleTicks = 0;
  }

  /**
   * Gives a replica's Ready a look in the next cycle. Everything that changes a replica (a
   * message, a tick, a proposal, a read, a cycle that handled its Ready) activates it, so it also
   * marks the replica for the next {@link #publish}.
   */
  private void activate(Replica r) {
    if (replicas.get(r.rangeId) != r) {
      return; // replaced: a placeholder that a split initialized
    }
    active.add(r);
    publisher.changed(r);
  }

  // ------------------------------------------------------------------ replicas

  private Replica openReplica(ApplyStatePb st) {
    RangeDescriptor d = RangeDescriptor.fromProto(st.getRange());
    Replica[] self = new Replica[1];
    EngineRaftStorage log = new EngineRaftStorage(logs, d.rangeId(),
        d.members().voters().isEmpty() && d.members().learners().isEmpty() ? null
            : d.members());
    RangeStorage storage = new RangeStorage(log, () -> self[0]);
    RaftConfig cfg = RaftConfig.builder(nodeId, random.split())
        .electionTicks(options.electionTicks())
        .heartbeatTicks(1)
        .applied(st.getAppliedIndex())
        .build();
    Replica r = new Replica(new RaftNode(cfg, storage), store, st);
    self[0] = r;
    replicas.put(r.rangeId, r);
    awake.add(r);
    activate(r);
    return r;
  }

  private void createLocally(RangeDescriptor d, long maxTs, long gcSafePoint,
      RaftHardState voted) {
    EngineRaftStorage.bootstrap(logs, d.rangeId(), d.members(), voted);
    ApplyStatePb st = ApplyStatePb.newBuilder().setAppliedIndex(1).setAppliedTerm(1)
        .setRange(d.toProto()).setMaxTs(maxTs).setGcSafePoint(gcSafePoint).build();
    try (WriteBatch b = new WriteBatch()) {
      ApplyStates.put(store, b, d.rangeId(), st);
      store.write(b);
    }
    openReplica(st);
  }

  private Replica createRightHalf(Replica left, Replica.AppliedSplit applied) {
    SplitPb split = applied.command();
    Replica placeholder = replicas.get(split.getNewRangeId());
    if (placeholder != null && placeholder.initialized()) {
      return null; // a snapshot got there first, holding this split's outcome or a later one
    }
    RangeDescriptor rightDesc = new RangeDescriptor(split.getNewRangeId(),
        split.getSplitKey().toByteArray(), applied.rightEnd(), left.descriptor.generation(),
        left.descriptor.members(), 0, split.getStickyUntilMillis());
    // The right half's keys hold versions up to the left's newest timestamp: its writes must
    // go above them.
    RaftHardState voted = RaftHardState.EMPTY;
    if (placeholder != null) {
      // The right half's leader reached this node before its split did: the empty replica
      // its messages started gives way, keeping any vote it cast (persisted by this cycle).
      voted = logs.group(placeholder.rangeId).hardState();
      replicas.remove(placeholder.rangeId);
      awake.remove(placeholder);
      active.remove(placeholder);
      publisher.changed(placeholder);
    }
    createLocally(rightDesc, left.maxTs, left.gcSafePoint, voted);
    Replica right = replicas.get(rightDesc.rangeId());
    if (left.node.role() == Role.LEADER) {
      // The left half's leader leads the right half too: no election timeout of unavailability.
      right.node.campaign();
    }
    return right;
  }

  private Replica leaderReplica(long rangeId, byte[] key) {
    Replica r = replicas.get(rangeId);
    if (r == null) {
      throw new RangeException.RangeNotFound(rangeId);
    }
    if (key != null && !r.descriptor.contains(key)) {
      throw new RangeException.KeyOutsideRange(r.descriptor);
    }
    wake(r);
    activate(r);
    if (r.node.role() != Role.LEADER) {
      throw new RangeException.NotLeader(r.descriptor, r.node.leader());
    }
    return r;
  }

  private <T> CompletableFuture<T> read(long rangeId, byte[] key, byte[] routingKey,
      Function<Replica, T> serve) {
    return read(rangeId, routingKey, 0, serve);
  }

  /**
   * A read served once this replica, leading, has applied everything committed when it
   * arrived; a snapshot read ({@code readTs} above 0) also waits for the one-phase commits
   * admitted below its timestamp ({@link OnePhaseGate}).
   */
  private <T> CompletableFuture<T> read(long rangeId, byte[] routingKey, long readTs,
      Function<Replica, T> serve) {
    CompletableFuture<T> f = new CompletableFuture<>();
    enqueue(f, () -> {
      Replica r = replicas.get(rangeId);
      if (r == null) {
        throw new RangeException.RangeNotFound(rangeId);
      }
      if (!r.descriptor.contains(routingKey)) {
        throw new RangeException.KeyOutsideRange(r.descriptor);
      }
      if (r.frozenAt > 0) {
        throw r.frozenError();
      }
      wake(r);
      activate(r);
      if (readTs > 0 && r.node.role() != Role.LEADER) {
        // Only the leader's one-phase gate learns of a snapshot read: one served here could be
        // changed by a one-phase commit below it that the leader admits.
        throw new RangeException.NotLeader(r.descriptor, r.node.leader());
      }
      long id = ++readSeq;
      r.readsAwaitingIndex.put(id, new Replica.AwaitingIndex(() -> {
        try {
          if (!r.descriptor.contains(routingKey)) {
            f.completeExceptionally(new RangeException.KeyOutsideRange(r.descriptor));
          } else {
            f.complete(serve.apply(r));
          }
        } catch (RuntimeException e) {
          f.completeExceptionally(e);
        }
      }, f, readTs));
      try {
        r.node.readIndex(id);
      } catch (ProposalRejectedException e) {
        r.readsAwaitingIndex.remove(id);
        throw new RangeException.NotLeader(r.descriptor, e.leaderHint());
      }
      if (readTs > 0) {
        r.onePhase.observeRead(readTs);
      }
      r.load.read(routingKey);
    });
    return f;
  }

  /** A replica that lost leadership will never confirm its pending ReadIndex requests. */
  private void failReads(Replica r) {
    for (Replica.AwaitingIndex w : r.readsAwaitingIndex.values()) {
      w.future().completeExceptionally(new RangeException.NotLeader(r.descriptor,
          r.node.leader()));
    }
    r.readsAwaitingIndex.clear();
  }

  private <T> CompletableFuture<T> call(java.util.concurrent.Callable<T> op) {
    CompletableFuture<T> f = new CompletableFuture<>();
    enqueue(f, () -> {
      try {
        f.complete(op.call());
      } catch (Exception e) {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  /** For outcomes that must not be lost to a full inbox (it drains while the runtime runs). */
  private void enqueueReliably(Runnable task) {
    try {
      while (running && !inbox.offer(task, options.tickMillis(), TimeUnit.MILLISECONDS)) {
        // The raft thread is busy; it drains the inbox.
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void enqueue(CompletableFuture<?> f, Runnable work) {
    Runnable guarded = () -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    };
    if (!running || !inbox.offer(guarded)) {
      f.completeExceptionally(new RejectedExecutionException("node " + nodeId
          + (running ? " is overloaded: its raft inbox is full" : " is not running")));
    }
  }

  private void publish() {
    publisher.publish(replicas);
    stats = new RuntimeStats(cycles, walBatches, proposals, entries, appliedCount, ticks,
        quiesced, woken, elections, compactions, snapshotsInstalled, onePhaseCommits,
        onePhaseRefused);
  }
}
