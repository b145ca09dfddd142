package io.flotilla.multiraft.transport;

import java.time.Duration;

/**
 * The limits of a transport. Every queue and in-flight window the transport keeps is bounded by
 * one of these, so a slow or dead peer costs bounded memory whatever the runtime sends.
 *
 * @param maxBatchBytes the largest {@code MessageBatch} sent; a flush with more splits into
 *     several, and one envelope that does not fit alone is refused. Receivers accept batches up
 *     to their own value of this, so every node should use the same one
 * @param maxQueueMessages envelopes queued per destination node, flushed or not, before new ones
 *     are dropped
 * @param maxQueueBytes encoded bytes queued per destination node before new ones are dropped
 * @param snapshotBytesPerSecond snapshot data this node sends per second, to all peers together
 * @param livenessTimeout how long a peer may stay unreachable or silent before
 *     {@code onPeerDown}; it is pinged every quarter of this
 * @param reconnectBackoffMin the first delay before reconnecting after a failure; it doubles per
 *     failure (jittered) up to {@code reconnectBackoffMax}
 * @param reconnectBackoffMax the longest delay between reconnection attempts
 * @param ioThreads Netty event-loop threads serving all connections, in and out
 * @param snapshotSendThreads snapshots streamed out at the same time; more wait in a short queue
 */
public record TransportOptions(int maxBatchBytes, int maxQueueMessages, long maxQueueBytes,
    long snapshotBytesPerSecond, Duration livenessTimeout, Duration reconnectBackoffMin,
    Duration reconnectBackoffMax, int ioThreads, int snapshotSendThreads) {
  public static final TransportOptions DEFAULTS = new TransportOptions(4 << 20, 10_000,
      64L << 20, 32L << 20, Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofSeconds(2),
      2, 2);

  /** Smallest batch limit: below it, ordinary Raft messages would be refused as too large. */
  static final int MIN_BATCH_BYTES = 1 << 10;
  /** Largest batch limit: bounds what one inbound message may make a receiver allocate. */
  static final int MAX_BATCH_BYTES = 64 << 20;

  public TransportOptions {
    check(maxBatchBytes >= MIN_BATCH_BYTES && maxBatchBytes <= MAX_BATCH_BYTES, "maxBatchBytes",
        maxBatchBytes, "in [" + MIN_BATCH_BYTES + ", " + MAX_BATCH_BYTES + "]");
    check(maxQueueMessages >= 1, "maxQueueMessages", maxQueueMessages, ">= 1");
    check(maxQueueBytes >= maxBatchBytes, "maxQueueBytes", maxQueueBytes,
        ">= maxBatchBytes (" + maxBatchBytes + "), so that any sendable envelope can queue");
    check(snapshotBytesPerSecond >= 1, "snapshotBytesPerSecond", snapshotBytesPerSecond, ">= 1");
    check(livenessTimeout != null && livenessTimeout.toMillis() >= 40, "livenessTimeout",
        livenessTimeout, ">= 40ms");
    check(reconnectBackoffMin != null && reconnectBackoffMin.toMillis() >= 1,
        "reconnectBackoffMin", reconnectBackoffMin, ">= 1ms");
    check(reconnectBackoffMax != null && reconnectBackoffMax.compareTo(reconnectBackoffMin) >= 0,
        "reconnectBackoffMax", reconnectBackoffMax, ">= reconnectBackoffMin");
    check(ioThreads >= 1 && ioThreads <= 64, "ioThreads", ioThreads, "in [1, 64]");
    check(snapshotSendThreads >= 1 && snapshotSendThreads <= 16, "snapshotSendThreads",
        snapshotSendThreads, "in [1, 16]");
  }

  private static void check(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("transport option " + key + " must be " + rule
          + ", got " + value);
    }
  }

  public TransportOptions withMaxBatchBytes(int v) {
    return new TransportOptions(v, maxQueueMessages, Math.max(maxQueueBytes, v),
        snapshotBytesPerSecond, livenessTimeout, reconnectBackoffMin, reconnectBackoffMax,
        ioThreads, snapshotSendThreads);
  }

  public TransportOptions withQueueLimits(int messages, long bytes) {
    return new TransportOptions(maxBatchBytes, messages, bytes, snapshotBytesPerSecond,
        livenessTimeout, reconnectBackoffMin, reconnectBackoffMax, ioThreads,
        snapshotSendThreads);
  }

  public TransportOptions withSnapshotBytesPerSecond(long v) {
    return new TransportOptions(maxBatchBytes, maxQueueMessages, maxQueueBytes, v,
        livenessTimeout, reconnectBackoffMin, reconnectBackoffMax, ioThreads,
        snapshotSendThreads);
  }

  public TransportOptions withLivenessTimeout(Duration v) {
    return new TransportOptions(maxBatchBytes, maxQueueMessages, maxQueueBytes,
        snapshotBytesPerSecond, v, reconnectBackoffMin, reconnectBackoffMax, ioThreads,
        snapshotSendThreads);
  }

  public TransportOptions withReconnectBackoff(Duration min, Duration max) {
    return new TransportOptions(maxBatchBytes, maxQueueMessages, maxQueueBytes,
        snapshotBytesPerSecond, livenessTimeout, min, max, ioThreads, snapshotSendThreads);
  }

  /** How often peers are pinged and their liveness judged. */
  Duration pingInterval() {
    return livenessTimeout.dividedBy(4);
  }
}
