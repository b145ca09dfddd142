package io.flotilla.multiraft.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.kv.GroupLog;
import io.flotilla.kv.RaftHardState;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.TruncatedState;
import io.flotilla.kv.WalBatch;
import io.flotilla.kv.snapshot.AlongsideWrites;
import io.flotilla.kv.snapshot.IncomingSnapshot;
import io.flotilla.kv.snapshot.RangeSnapshotReceiver;
import io.flotilla.kv.snapshot.SnapshotManifest;
import io.flotilla.multiraft.proto.ApplyStatePb;
import io.flotilla.multiraft.transport.Envelope;
import io.flotilla.raft.Message;
import io.flotilla.raft.Ready;
import io.flotilla.raft.Snapshot;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Installs the range snapshots this node receives. The data arrives staged and verified with
 * its {@code InstallSnapshot}; the runtime stages it here and steps the message. If the core
 * accepts, its next Ready carries the snapshot, and before that Ready's log changes are written
 * the data replaces the range's span together with the new apply state (applied index = the
 * snapshot's, descriptor, highest timestamp: the sender's apply state at that index, carried
 * in the manifest's context). If the core declines, the staged data is discarded.
 *
 * <p>Crash safety: the span and the apply state change atomically (kv-engine's ingest, with the
 * apply state as its alongside write, redone by {@link #recover} after a crash past its commit
 * point). The log's half (truncated state and hard state) follows in the cycle's WAL batch; if a
 * crash loses it, {@link #alignLog} finishes it at the next start, recognizing the case by an
 * applied index beyond the durable commit index, which nothing else produces.
 */
final class SnapshotInstaller {
  private record Staged(Snapshot snapshot, IncomingSnapshot data, SnapshotManifest manifest,
      ApplyStatePb state) {}

  private final Store store;
  private final Map<Long, Staged> staged = new HashMap<>(); // raft thread

  SnapshotInstaller(Store store) {
    this.store = store;
  }

  /**
   * Checks that received data belongs to its message and is whole; returns the apply state it
   * brings. Any thread (the transport's, before handing the snapshot to the raft thread).
   *
   * @throws IllegalArgumentException naming the range if the snapshot is not usable
   */
  static ApplyStatePb check(Envelope env, IncomingSnapshot data, SnapshotManifest manifest) {
    Snapshot s = ((Message.InstallSnapshot) env.message()).snapshot();
    ApplyStatePb state;
    try {
      state = ApplyStatePb.parseFrom(manifest.context());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("snapshot of range " + env.rangeId()
          + " carries no apply state in its manifest", e);
    }
    RangeDescriptor d = RangeDescriptor.fromProto(state.getRange());
    if (d.rangeId() != env.rangeId() || state.getAppliedIndex() != s.index()
        || state.getAppliedTerm() != s.term()
        || !manifest.span().equals(RangeSpans.of(d))) {
      throw new IllegalArgumentException("snapshot of range " + env.rangeId() + " at "
          + s.term() + "/" + s.index() + " carries data of range " + d.rangeId() + " at "
          + state.getAppliedTerm() + "/" + state.getAppliedIndex() + " over "
          + manifest.span());
    }
    data.verify(manifest);
    return state;
  }

  /**
   * Holds received data until the core decides on its message (raft thread). Returns false,
   * discarding the data, if another snapshot of the range is still pending: the message must
   * then not be stepped (its sender retries).
   */
  boolean stage(Envelope env, IncomingSnapshot data, SnapshotManifest manifest,
      ApplyStatePb state) {
    if (staged.containsKey(env.rangeId())) {
      data.close();
      return false;
    }
    Snapshot s = ((Message.InstallSnapshot) env.message()).snapshot();
    staged.put(env.rangeId(), new Staged(s, data, manifest, state));
    return true;
  }

  /** Whether {@code m} came with its data; a bare InstallSnapshot must not be stepped. */
  boolean holds(long rangeId, Message.InstallSnapshot m) {
    Staged s = staged.get(rangeId);
    return s != null && s.snapshot().index() == m.snapshot().index()
        && s.snapshot().term() == m.snapshot().term();
  }

  /**
   * Installs the data of the snapshot {@code rd} carries, or discards staged data the core
   * declined. Call for every Ready, before its log changes are added to the WAL batch.
   * Returns whether it installed one.
   */
  boolean beforePersist(Replica r, Ready rd) {
    Staged s = staged.remove(r.rangeId);
    Snapshot snap = rd.snapshot();
    if (snap == null) {
      if (s != null) {
        s.data().close();
      }
      return false;
    }
    if (s == null || s.snapshot().index() != snap.index() || s.snapshot().term() != snap.term()) {
      throw new IllegalStateException("range " + r.rangeId + ": Raft installs the snapshot at "
          + snap.term() + "/" + snap.index() + " but its data did not arrive with it");
    }
    s.data().complete(s.manifest(), alongside(store));
    RangeDescriptor d = RangeDescriptor.fromProto(s.state().getRange());
    r.descriptor = d.withMembers(snap.metadata().confState());
    r.applied = snap.index();
    r.appliedTerm = snap.term();
    r.lastConfChange = snap.index();
    r.bytesSinceCompaction = 0;
    r.maxTs = Math.max(r.maxTs, s.state().getMaxTs());
    r.gcSafePoint = Math.max(r.gcSafePoint, s.state().getGcSafePoint());
    r.frozenAt = s.state().getFrozenAt();
    r.mergeTarget = s.state().getMergeTarget();
    // Entries a merge kept waiting are all committed, so at or before the snapshot's index.
    r.deferred.clear();
    return true;
  }

  /** Discards the data staged for a range, if any (its replica is being removed). */
  void discard(long rangeId) {
    Staged s = staged.remove(rangeId);
    if (s != null) {
      s.data().close();
    }
  }

  /** Discards data still staged (the runtime is closing). */
  void close() {
    for (Iterator<Staged> it = staged.values().iterator(); it.hasNext(); ) {
      it.next().data().close();
      it.remove();
    }
  }

  /** The apply state from the manifest, written with (and redone with) the new span. */
  private static AlongsideWrites alongside(Store store) {
    return (manifest, batch) -> {
      ApplyStatePb state;
      try {
        state = ApplyStatePb.parseFrom(manifest.context());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("snapshot " + Long.toHexString(manifest.snapshotId())
            + " of " + manifest.span() + ": its apply state is unreadable", e);
      }
      ApplyStates.put(store, batch, state.getRange().getRangeId(), state);
    };
  }

  /** Finishes the ingests a crash interrupted past their commit point. Before any replica opens. */
  static void recover(Store store) {
    RangeSnapshotReceiver.recover(store, alongside(store));
  }

  /**
   * Completes the log side of a snapshot installed just before a crash (see the class comment):
   * the log restarts after the snapshot's index, with that index committed. The term only ever
   * rises, and a vote is kept only within its term.
   */
  static void alignLog(RaftLogStore logs, ApplyStatePb st) {
    long id = st.getRange().getRangeId();
    GroupLog log = logs.group(id);
    RaftHardState h = log.hardState();
    if (st.getAppliedIndex() <= h.commit()) {
      return;
    }
    long term = Math.max(h.term(), st.getAppliedTerm());
    logs.commit(new WalBatch()
        .installSnapshot(id, new TruncatedState(st.getAppliedIndex(), st.getAppliedTerm(),
            st.getRange().getMembers().toByteArray()))
        .setHardState(id, new RaftHardState(term, term == h.term() ? h.vote() : 0,
            st.getAppliedIndex())));
  }
}
