package io.flotilla.multiraft.transport;

import java.util.List;

/**
 * Moves Raft messages between nodes. Implementations: {@code GrpcTransport} (one stream per node
 * pair over gRPC) and {@code LocalTransport} (in-process, for tests).
 *
 * <p>Contract: {@link #send} only queues and never blocks the runtime's cycle; {@link #flush}
 * sends what was queued since the last flush as one batch per destination node, with every
 * heartbeat (and heartbeat response) for that node coalesced into compact entries of that batch.
 * Delivery is best effort: Raft tolerates loss, duplication and reordering, so a full queue or a
 * dead peer drops messages and reports them through {@link Handler#onUnreachable}. Messages to one
 * node are delivered in the order sent while the connection stays up.
 */
public interface Transport extends AutoCloseable {
  /** Starts serving; the handler receives inbound traffic and peer events from now on. */
  void start(Handler handler);

  /** Queues an envelope for its message's destination node. */
  void send(Envelope envelope);

  /** Sends everything queued since the last call: one batch per destination node. */
  void flush();

  /**
   * Streams the range snapshot named by an {@code InstallSnapshot} envelope, then delivers the
   * envelope itself. Runs in the background under the per-node snapshot rate limit;
   * {@code done} is told whether the receiver accepted it (the runtime then reports the outcome to
   * Raft with {@code reportSnapshot}).
   */
  void sendSnapshot(Envelope installSnapshot, SnapshotSource source, SnapshotOutcome done);

  @Override
  void close();

  /** Produces the data of a range snapshot to stream. */
  interface SnapshotSource {
    /** Exports the range's data as of the snapshot's index. */
    io.flotilla.kv.snapshot.ExportedSnapshot export(long rangeId, long snapshotId);
  }

  /** How sending a snapshot ended. */
  interface SnapshotOutcome {
    void finished(long toNode, long rangeId, boolean accepted);
  }

  /** What the transport calls on the runtime; implementations must return quickly. */
  interface Handler {
    /** Messages that arrived from {@code fromNode}, in the order it sent them. */
    void onMessages(long fromNode, List<Envelope> envelopes);

    /**
     * A snapshot's data has arrived and is verified and staged (not yet applied); step the
     * envelope, and apply {@code staged} only if Raft accepts the snapshot, else abort it.
     */
    void onSnapshot(long fromNode, Envelope installSnapshot,
        io.flotilla.kv.snapshot.IncomingSnapshot staged,
        io.flotilla.kv.snapshot.SnapshotManifest manifest);

    /** A queued envelope could not be sent (peer unreachable, queue full, too large). */
    void onUnreachable(Envelope envelope);

    /** The connection to {@code node} failed and has not come back within the liveness timeout. */
    void onPeerDown(long node);

    /** The connection to {@code node} works (again). */
    void onPeerUp(long node);
  }
}
