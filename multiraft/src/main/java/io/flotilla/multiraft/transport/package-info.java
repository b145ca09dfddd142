/**
 * Moving Raft messages between nodes: the {@link io.flotilla.multiraft.transport.Transport}
 * contract, its gRPC implementation {@link io.flotilla.multiraft.transport.GrpcTransport} and
 * its in-process twin {@link io.flotilla.multiraft.transport.LocalTransport}.
 *
 * <p>Contract (architecture boundary 3, one message stream per node pair): everything a node
 * sends another travels on one {@code Batches} stream, one {@code MessageBatch} per flush (more
 * only past {@link io.flotilla.multiraft.transport.TransportOptions#maxBatchBytes}), with the
 * heartbeats and heartbeat responses of every range coalesced into compact per-range entries of
 * that batch. The batch records the order of its envelopes, so the receiver's handler sees them
 * in the order sent. Delivery is best effort, because Raft tolerates loss: every queue is
 * bounded, an envelope that does not fit is refused at once through {@code onUnreachable}, and
 * nothing waits in memory without a bound — not in gRPC either, whose flow control
 * ({@code isReady}) gates every write.
 *
 * <p>Liveness: each stream carries a ping every quarter of the liveness timeout; a peer that
 * has not answered for the timeout (or could not be reached at all) is reported once through
 * {@code onPeerDown}, and {@code onPeerUp} follows its first answer.
 *
 * <p>Snapshots stream separately, chunk by chunk from a kv-engine range export, under a per-node
 * rate limit, and are staged on the receiver before the handler decides to apply them.
 *
 * <p>The threads are few and fixed (listed on {@link
 * io.flotilla.multiraft.transport.GrpcTransport}): never one per peer or per range.
 */
package io.flotilla.multiraft.transport;
