package io.flotilla.multiraft.runtime;

import io.flotilla.kv.Store;
import io.flotilla.kv.snapshot.ExportedSnapshot;
import io.flotilla.kv.snapshot.KeySpan;
import io.flotilla.kv.snapshot.RangeSnapshotExporter;
import io.flotilla.kv.snapshot.SnapshotOptions;
import io.flotilla.kv.snapshot.SnapshotProgress;
import io.flotilla.multiraft.transport.Envelope;
import io.flotilla.multiraft.transport.Transport;
import io.flotilla.raft.Message;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Sends a range's data with each {@code InstallSnapshot} the Raft core emits. On the raft thread
 * it pins a RocksDB snapshot, which matches the snapshot's metadata exactly because the core
 * takes that metadata from the replica's applied state ({@link RangeStorage#snapshot}) and
 * nothing is applied in between; the export (SST files) and the rate-limited streaming then run
 * on the transport's snapshot-sending threads, and the outcome comes back to the raft thread,
 * which only then reports it to the core. At most {@link #MAX_IN_FLIGHT} snapshots leave this
 * node at a time; one over the limit is reported failed at once and the core retries it later.
 */
final class SnapshotShipper {
  static final int MAX_IN_FLIGHT = 2;

  /** Delivers a snapshot's outcome to the core; runs on the raft thread. */
  interface Outcome {
    void finished(long rangeId, long toNode, boolean accepted);
  }

  private final Store store;
  private final Transport transport;
  private final Consumer<Runnable> raftThread;
  private final Outcome outcome;
  private final Set<Pinned> pinned = ConcurrentHashMap.newKeySet();
  private int inFlight; // raft thread

  /**
   * @param raftThread runs a task on the raft thread, never dropping it
   */
  SnapshotShipper(Store store, Transport transport, Consumer<Runnable> raftThread,
      Outcome outcome) {
    this.store = store;
    this.transport = transport;
    this.raftThread = raftThread;
    this.outcome = outcome;
  }

  /** Starts sending {@code env}'s snapshot with {@code r}'s data (raft thread). */
  void ship(Replica r, Envelope env) {
    Message.InstallSnapshot m = (Message.InstallSnapshot) env.message();
    if (inFlight >= MAX_IN_FLIGHT || m.snapshot().index() != r.applied) {
      // Busy, or (cannot happen while the core takes the snapshot from the applied state) the
      // data moved on: the core probes again and asks for a fresh snapshot.
      outcome.finished(r.rangeId, m.to(), false);
      return;
    }
    Pinned p = new Pinned(store, r.rangeId, m.to(), RangeSpans.of(r.descriptor),
        r.applyState(r.appliedTerm).toByteArray());
    pinned.add(p);
    inFlight++;
    transport.sendSnapshot(env, (rangeId, snapshotId) -> p.export(snapshotId),
        (toNode, rangeId, accepted) -> {
          p.release();
          pinned.remove(p);
          raftThread.accept(() -> {
            inFlight--;
            outcome.finished(rangeId, toNode, accepted);
          });
        });
  }

  /** Releases what transfers still pin, once the transport is closed. */
  void close() {
    for (Pinned p : pinned) {
      p.release();
    }
    pinned.clear();
  }

  /**
   * A RocksDB snapshot held for one transfer until its export is written. Released exactly
   * once, and never while the export reads it: the store must outlive neither.
   */
  private static final class Pinned {
    private final Store store;
    private final long rangeId;
    private final long toNode;
    private final KeySpan span;
    private final byte[] context;
    private org.rocksdb.Snapshot snapshot;

    Pinned(Store store, long rangeId, long toNode, KeySpan span, byte[] context) {
      this.store = store;
      this.rangeId = rangeId;
      this.toNode = toNode;
      this.span = span;
      this.context = context;
      this.snapshot = store.db().getSnapshot();
    }

    synchronized ExportedSnapshot export(long snapshotId) {
      if (snapshot == null) {
        throw new IllegalStateException("snapshot of range " + rangeId + " for node " + toNode
            + " was abandoned before its export: the runtime is closing");
      }
      try {
        return RangeSnapshotExporter.export(store, snapshotId, span, context,
            SnapshotOptions.DEFAULTS, SnapshotProgress.NONE, snapshot);
      } finally {
        release();
      }
    }

    synchronized void release() {
      if (snapshot != null) {
        store.db().releaseSnapshot(snapshot);
        snapshot = null;
      }
    }
  }
}
