package io.flotilla.multiraft.transport;

import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters behind {@link TransportStats}. LongAdders, because the event loops, the
 * runtime's thread and the snapshot threads all bump them and must not contend on one cache line.
 */
final class Counters {
  final LongAdder batchesSent = new LongAdder();
  final LongAdder messagesSent = new LongAdder();
  final LongAdder heartbeatsSent = new LongAdder();
  final LongAdder heartbeatBatchesSent = new LongAdder();
  final LongAdder bytesSent = new LongAdder();
  final LongAdder batchesReceived = new LongAdder();
  final LongAdder messagesReceived = new LongAdder();
  final LongAdder heartbeatsReceived = new LongAdder();
  final LongAdder bytesReceived = new LongAdder();
  final LongAdder pingsSent = new LongAdder();
  final LongAdder droppedQueueFull = new LongAdder();
  final LongAdder droppedTooLarge = new LongAdder();
  final LongAdder droppedClosed = new LongAdder();
  final LongAdder refusedByPeers = new LongAdder();
  final LongAdder refusedFromPeers = new LongAdder();
  final LongAdder reconnects = new LongAdder();
  final LongAdder snapshotsSent = new LongAdder();
  final LongAdder snapshotsFailed = new LongAdder();
  final LongAdder snapshotsReceived = new LongAdder();
  final LongAdder snapshotsRefused = new LongAdder();
  final LongAdder snapshotBytesSent = new LongAdder();
  final LongAdder snapshotBytesReceived = new LongAdder();
  /** Gauges: changed by the queues under their peer's lock, read without it. */
  final LongAdder queuedMessages = new LongAdder();
  final LongAdder queuedBytes = new LongAdder();

  TransportStats snapshot() {
    return new TransportStats(batchesSent.sum(), messagesSent.sum(), heartbeatsSent.sum(),
        heartbeatBatchesSent.sum(), bytesSent.sum(), batchesReceived.sum(),
        messagesReceived.sum(), heartbeatsReceived.sum(), bytesReceived.sum(), pingsSent.sum(),
        droppedQueueFull.sum(), droppedTooLarge.sum(), droppedClosed.sum(), refusedByPeers.sum(),
        refusedFromPeers.sum(), reconnects.sum(), snapshotsSent.sum(), snapshotsFailed.sum(),
        snapshotsReceived.sum(), snapshotsRefused.sum(), snapshotBytesSent.sum(),
        snapshotBytesReceived.sum(), queuedMessages.sum(), queuedBytes.sum());
  }
}
