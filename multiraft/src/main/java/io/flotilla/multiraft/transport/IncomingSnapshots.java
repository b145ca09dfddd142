package io.flotilla.multiraft.transport;

import io.flotilla.kv.snapshot.IncomingSnapshot;

/**
 * Where received snapshot chunks are staged: normally {@code new RangeSnapshotReceiver(store)::
 * begin}. Called on the transport's snapshot-receiving thread.
 */
@FunctionalInterface
public interface IncomingSnapshots {
  /** For nodes (and tests) that take no snapshots: every incoming one is refused. */
  IncomingSnapshots REFUSE = id -> {
    throw new IllegalStateException("this node accepts no snapshots");
  };

  /**
   * Starts staging snapshot {@code snapshotId}.
   *
   * @throws RuntimeException if it cannot be received now (e.g. already in flight); the sender
   *     is told and its outcome is "not accepted"
   */
  IncomingSnapshot begin(long snapshotId);
}
