package io.flotilla.multiraft.transport;

/**
 * Counters of one transport since it was built (all monotonic except the two {@code queued}
 * gauges). Pings are counted apart, so that {@code batchesSent} counts only batches that carry
 * envelopes.
 *
 * @param batchesSent batches carrying envelopes, handed to the network
 * @param messagesSent envelopes sent, heartbeat entries included
 * @param heartbeatsSent heartbeat and heartbeat-response entries sent (coalesced into batches)
 * @param heartbeatBatchesSent batches that carried at least one heartbeat entry: with {@code
 *     heartbeatsSent} it shows how much coalescing saved
 * @param bytesSent serialized bytes of batches sent
 * @param batchesReceived batches carrying envelopes, received and handed to the handler
 * @param messagesReceived envelopes received, heartbeat entries included
 * @param heartbeatsReceived heartbeat and heartbeat-response entries received
 * @param bytesReceived serialized bytes of batches received
 * @param pingsSent liveness probes sent
 * @param droppedQueueFull envelopes refused because their destination's queue was full
 * @param droppedTooLarge envelopes refused because alone they exceed the batch limit
 * @param droppedClosed envelopes discarded because the transport closed
 * @param refusedByPeers streams of ours that a peer refused (wrong cluster, wrong node)
 * @param refusedFromPeers inbound streams or batches this node refused
 * @param reconnects reconnection attempts scheduled after failures, each after a backoff
 *     delay
 * @param snapshotsSent snapshots the receiver accepted
 * @param snapshotsFailed snapshots that failed to export, stream or be accepted
 * @param snapshotsReceived snapshots staged and handed to the handler
 * @param snapshotsRefused inbound snapshots refused (bad chunk, wrong cluster, busy)
 * @param snapshotBytesSent snapshot chunk bytes sent
 * @param snapshotBytesReceived snapshot chunk bytes staged
 * @param queuedMessages envelopes queued now, over all peers
 * @param queuedBytes encoded bytes queued now, over all peers
 */
public record TransportStats(
    long batchesSent,
    long messagesSent,
    long heartbeatsSent,
    long heartbeatBatchesSent,
    long bytesSent,
    long batchesReceived,
    long messagesReceived,
    long heartbeatsReceived,
    long bytesReceived,
    long pingsSent,
    long droppedQueueFull,
    long droppedTooLarge,
    long droppedClosed,
    long refusedByPeers,
    long refusedFromPeers,
    long reconnects,
    long snapshotsSent,
    long snapshotsFailed,
    long snapshotsReceived,
    long snapshotsRefused,
    long snapshotBytesSent,
    long snapshotBytesReceived,
    long queuedMessages,
    long queuedBytes) {}
