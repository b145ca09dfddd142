package io.flotilla.multiraft.transport;

import io.flotilla.multiraft.proto.HeartbeatPb;
import io.flotilla.multiraft.proto.HeartbeatResponsePb;
import io.flotilla.multiraft.proto.MessageBatch;
import io.flotilla.multiraft.proto.RaftMessagePb;
import io.flotilla.multiraft.transport.MessageCodec.Outgoing;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The envelopes waiting for one destination node, bounded in count and bytes. A prefix of them
 * is "flushable" (the runtime flushed them; the stream was not ready yet); the rest arrived after
 * the last flush and wait for the next. Not thread-safe: guarded by its {@link Peer}.
 */
final class PeerQueue {
  private final ArrayDeque<Outgoing> items = new ArrayDeque<>();
  private final int maxMessages;
  private final long maxBytes;
  private final Counters counters;
  private long bytes;
  private int flushable;

  PeerQueue(int maxMessages, long maxBytes, Counters counters) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.counters = counters;
  }

  /** Queues {@code o} unless that would exceed a bound: then the newest, {@code o}, is refused. */
  boolean offer(Outgoing o) {
    if (items.size() >= maxMessages || bytes + o.wireBytes() > maxBytes) {
      return false;
    }
    items.addLast(o);
    bytes += o.wireBytes();
    counters.queuedMessages.increment();
    counters.queuedBytes.add(o.wireBytes());
    return true;
  }

  /** Everything queued so far may be sent (the runtime called flush). */
  void markFlushable() {
    flushable = items.size();
  }

  boolean hasFlushable() {
    return flushable > 0;
  }

  boolean isEmpty() {
    return items.isEmpty();
  }

  /** Discards everything; returns how many envelopes that was. */
  int clear() {
    int n = items.size();
    counters.queuedMessages.add(-n);
    counters.queuedBytes.add(-bytes);
    items.clear();
    bytes = 0;
    flushable = 0;
    return n;
  }

  /**
   * Removes flushable envelopes from the head, as many as fit into {@code maxBatchBytes} (at
   * least one: no queued envelope exceeds the limit alone), into one batch that records their
   * order. Call only if {@link #hasFlushable()}.
   */
  MessageBatch nextBatch(long clusterId, long fromNode, long toNode, int maxBatchBytes) {
    MessageBatch.Builder b = MessageBatch.newBuilder().setClusterId(clusterId)
        .setFromNode(fromNode).setToNode(toNode);
    int[] runs = new int[4];
    int runCount = 0;
    int kind = 0;
    int run = 0;
    long size = MessageCodec.BATCH_OVERHEAD;
    int taken = 0;
    while (flushable > 0) {
      Outgoing o = items.peekFirst();
      if (taken > 0 && size + o.wireBytes() > maxBatchBytes) {
        break;
      }
      items.pollFirst();
      flushable--;
      taken++;
      size += o.wireBytes();
      bytes -= o.wireBytes();
      counters.queuedMessages.decrement();
      counters.queuedBytes.add(-o.wireBytes());
      int k = o.kind().ordinal();
      while (kind != k) { // close the current run, with empty runs for kinds skipped
        if (runCount == runs.length) {
          runs = Arrays.copyOf(runs, runs.length * 2);
        }
        runs[runCount++] = run;
        run = 0;
        kind = (kind + 1) % 3;
      }
      run++;
      switch (o.kind()) {
        case MESSAGE -> b.addMessages((RaftMessagePb) o.proto());
        case HEARTBEAT -> b.addHeartbeats((HeartbeatPb) o.proto());
        case HEARTBEAT_RESPONSE -> b.addHeartbeatResponses((HeartbeatResponsePb) o.proto());
      }
    }
    if (runCount >= 3) {
      // Up to three runs are the receiver's default order (messages, heartbeats, responses):
      // the common case costs no bytes at all.
      for (int i = 0; i < runCount; i++) {
        b.addKindRuns(runs[i]);
      }
      b.addKindRuns(run);
    }
    return b.build();
  }
}
