package io.flotilla.multiraft.transport;

import io.flotilla.kv.snapshot.ExportedSnapshot;
import io.flotilla.kv.snapshot.IncomingSnapshot;
import io.flotilla.raft.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process twin of {@link GrpcTransport}, made by {@link LocalNetwork#join}: same
 * contract (queue, then one delivery per destination per flush, bounded queues reporting
 * overflow through {@code onUnreachable}), no serialization, no coalescing beyond counting.
 * Handler calls other than {@code onUnreachable} at {@code send} run on the network's delivery
 * executor. Snapshots are staged through the receiver's {@link IncomingSnapshots} as over the
 * wire, without a rate limit.
 */
public final class LocalTransport implements Transport {
  private static final AtomicLong SNAPSHOT_IDS = new AtomicLong();

  private final LocalNetwork network;
  private final long nodeId;
  private final IncomingSnapshots incoming;
  private final int maxQueueMessages;
  private final Counters counters = new Counters();
  private final Map<Long, List<Envelope>> queues = new LinkedHashMap<>(); // guarded by this
  private volatile Handler handler;
  private volatile boolean closed;

  LocalTransport(LocalNetwork network, long nodeId, IncomingSnapshots incoming,
      int maxQueueMessages) {
    this.network = network;
    this.nodeId = nodeId;
    this.incoming = incoming;
    this.maxQueueMessages = maxQueueMessages;
  }

  public long nodeId() {
    return nodeId;
  }

  public TransportStats stats() {
    return counters.snapshot();
  }

  @Override
  public void start(Handler h) {
    handler = h;
  }

  @Override
  public void send(Envelope e) {
    if (handler == null) {
      throw new IllegalStateException("transport of node " + nodeId + " is not started");
    }
    if (e.message().from() != nodeId) {
      throw new IllegalArgumentException("node " + nodeId + " cannot send a message from node "
          + e.message().from());
    }
    if (closed) {
      counters.droppedClosed.increment();
      return;
    }
    boolean queued;
    synchronized (this) {
      List<Envelope> q = queues.computeIfAbsent(e.message().to(), k -> new ArrayList<>());
      queued = q.size() < maxQueueMessages;
      if (queued) {
        q.add(e);
      }
    }
    if (!queued) {
      counters.droppedQueueFull.increment();
      unreachable(e);
    }
  }

  @Override
  public void flush() {
    Map<Long, List<Envelope>> out;
    synchronized (this) {
      out = new LinkedHashMap<>(queues);
      queues.clear();
    }
    out.forEach((to, envelopes) -> {
      long heartbeats = envelopes.stream().filter(e -> e.message() instanceof Message.Heartbeat
          || e.message() instanceof Message.HeartbeatResponse).count();
      counters.batchesSent.increment();
      counters.messagesSent.add(envelopes.size());
      counters.heartbeatsSent.add(heartbeats);
      if (heartbeats > 0) {
        counters.heartbeatBatchesSent.increment();
      }
      network.deliver(this, to, envelopes);
    });
  }

  @Override
  public void sendSnapshot(Envelope installSnapshot, SnapshotSource source,
      SnapshotOutcome done) {
    long to = installSnapshot.message().to();
    network.post(() -> {
      boolean accepted = false;
      LocalTransport dest = network.node(to);
      if (dest != null && dest.started() && network.linked(nodeId, to)) {
        try (ExportedSnapshot export = source.export(installSnapshot.rangeId(),
            SNAPSHOT_IDS.incrementAndGet())) {
          accepted = dest.stage(nodeId, installSnapshot, export);
        } catch (RuntimeException e) {
          accepted = false; // export failed, or the receiver's handler did: Raft retries
        }
      }
      (accepted ? counters.snapshotsSent : counters.snapshotsFailed).increment();
      done.finished(to, installSnapshot.rangeId(), accepted);
    });
  }

  @Override
  public void close() {
    closed = true;
    network.leave(this);
    synchronized (this) {
      queues.values().forEach(q -> counters.droppedClosed.add(q.size()));
      queues.clear();
    }
  }

  boolean started() {
    return handler != null && !closed;
  }

  void unreachable(Envelope e) {
    handler.onUnreachable(e);
  }

  void receive(long from, List<Envelope> envelopes) {
    counters.batchesReceived.increment();
    counters.messagesReceived.add(envelopes.size());
    handler.onMessages(from, envelopes);
  }

  void peerEvent(long peer, boolean up) {
    Handler h = handler;
    if (h != null && !closed) {
      if (up) {
        h.onPeerUp(peer);
      } else {
        h.onPeerDown(peer);
      }
    }
  }

  /** Stages every chunk as a receiver would; false (and nothing left staged) if one fails. */
  private boolean stage(long from, Envelope envelope, ExportedSnapshot export) {
    IncomingSnapshot staged;
    try {
      staged = incoming.begin(export.manifest().snapshotId());
    } catch (RuntimeException e) {
      counters.snapshotsRefused.increment();
      return false;
    }
    try {
      export.chunks().forEachRemaining(c -> {
        staged.accept(c);
        counters.snapshotBytesReceived.add(c.data().length);
      });
    } catch (RuntimeException e) {
      staged.close();
      counters.snapshotsRefused.increment();
      return false;
    }
    counters.snapshotsReceived.increment();
    handler.onSnapshot(from, envelope, staged, export.manifest());
    return true;
  }
}
