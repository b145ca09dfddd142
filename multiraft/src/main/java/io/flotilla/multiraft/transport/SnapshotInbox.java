package io.flotilla.multiraft.transport;

import io.flotilla.multiraft.proto.SnapshotAck;
import io.flotilla.multiraft.proto.SnapshotChunkPb;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Receives snapshot streams: at most {@link #MAX_ACTIVE} at a time (more are refused as busy),
 * each staged by {@link InboundSnapshot} on one shared worker thread, because staging writes
 * and fsyncs files and must not stall the event loops that carry every range's heartbeats.
 *
 * <p>Memory stays bounded by manual flow control: a stream is asked for its next chunk only
 * once the previous one is staged, so each active stream holds at most one chunk, and the
 * worker's queue at most two tasks per stream (one chunk, one end).
 */
final class SnapshotInbox implements AutoCloseable {
  static final int MAX_ACTIVE = 4;
  private static final System.Logger LOG = System.getLogger(GrpcTransport.class.getName());

  private final long nodeId;
  private final long clusterId;
  private final IncomingSnapshots incoming;
  private final Transport.Handler handler;
  private final Counters counters;
  private final Set<InboundSnapshot> active = ConcurrentHashMap.newKeySet();
  private final ThreadPoolExecutor worker;
  private boolean closed;

  SnapshotInbox(long nodeId, long clusterId, IncomingSnapshots incoming,
      Transport.Handler handler, Counters counters) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.incoming = incoming;
    this.handler = handler;
    this.counters = counters;
    this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(2 * MAX_ACTIVE + 2),
        Threads.named("flotilla-snapshot-recv-" + nodeId));
  }

  /** A new inbound stream; refused at once if too many are active. */
  synchronized StreamObserver<SnapshotChunkPb> open(
      ServerCallStreamObserver<SnapshotAck> responses) {
    if (closed || active.size() >= MAX_ACTIVE) {
      counters.snapshotsRefused.increment();
      responses.onNext(SnapshotAck.newBuilder().setOk(false).setError("node " + nodeId
          + " is busy receiving " + active.size() + " snapshots; retry later").build());
      responses.onCompleted();
      return Discard.INSTANCE;
    }
    responses.disableAutoRequest();
    InboundSnapshot s = new InboundSnapshot(this, responses);
    active.add(s);
    // Not from here: the call's listener is set only after this method returns.
    submit(() -> responses.request(1));
    return s;
  }

  long nodeId() {
    return nodeId;
  }

  long clusterId() {
    return clusterId;
  }

  IncomingSnapshots incoming() {
    return incoming;
  }

  Transport.Handler handler() {
    return handler;
  }

  Counters counters() {
    return counters;
  }

  void ended(InboundSnapshot s) {
    active.remove(s);
  }

  void submit(Runnable task) {
    try {
      worker.execute(task);
    } catch (RejectedExecutionException e) {
      if (!worker.isShutdown()) { // cannot happen while the bound above holds
        LOG.log(Level.ERROR, "snapshot worker queue overflow; a snapshot stream stalls", e);
      }
    }
  }

  /** Stops the worker and discards every half-received snapshot. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    worker.shutdownNow();
    try {
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // The worker is gone, so the streams' worker-confined state is ours now.
    for (InboundSnapshot s : new ArrayList<>(active)) {
      s.abort("the transport closed");
    }
  }

  /** Swallows the chunks of a refused stream. */
  private enum Discard implements StreamObserver<SnapshotChunkPb> {
    INSTANCE;

    @Override
    public void onNext(SnapshotChunkPb value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
