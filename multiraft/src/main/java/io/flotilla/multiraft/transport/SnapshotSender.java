package io.flotilla.multiraft.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.flotilla.kv.snapshot.ExportedSnapshot;
import io.flotilla.kv.snapshot.SnapshotChunk;
import io.flotilla.multiraft.proto.RaftTransportGrpc;
import io.flotilla.multiraft.proto.SnapshotAck;
import io.flotilla.multiraft.proto.SnapshotChunkPb;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.lang.System.Logger.Level;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends one snapshot, on a snapshot-sending thread: exports it, streams its chunks under the
 * node's rate limit and gRPC flow control (one chunk in memory at a time), then the manifest
 * with the raft message, and reports whether the receiver accepted it. The export is closed
 * (its files deleted) however the transfer ends.
 */
final class SnapshotSender implements Runnable {
  private static final System.Logger LOG = System.getLogger(GrpcTransport.class.getName());
  /** How long the receiver may take no data (or not answer) before the transfer is abandoned. */
  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final PeerContext ctx;
  private final Peer peer;
  private final RateLimiter limiter;
  private final Envelope envelope;
  private final Transport.SnapshotSource source;
  private final Transport.SnapshotOutcome done;
  private final long snapshotId;

  SnapshotSender(PeerContext ctx, Peer peer, RateLimiter limiter, Envelope envelope,
      Transport.SnapshotSource source, Transport.SnapshotOutcome done, long snapshotId) {
    this.ctx = ctx;
    this.peer = peer;
    this.limiter = limiter;
    this.envelope = envelope;
    this.source = source;
    this.done = done;
    this.snapshotId = snapshotId;
  }

  @Override
  public void run() {
    boolean accepted = false;
    ExportedSnapshot export = null;
    try {
      export = source.export(envelope.rangeId(), snapshotId);
      accepted = stream(export);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "snapshot of range " + envelope.rangeId() + " to node " + peer.node
          + " failed", e);
    } finally {
      if (export != null) {
        try {
          export.close();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "cannot delete an exported snapshot (the store's recovery will)",
              e);
        }
      }
      report(accepted);
    }
  }

  /** Reports failure without running: the queue was full or the transport closed. */
  void abort() {
    report(false);
  }

  private void report(boolean accepted) {
    (accepted ? ctx.counters().snapshotsSent : ctx.counters().snapshotsFailed).increment();
    try {
      done.finished(peer.node, envelope.rangeId(), accepted);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "snapshot outcome callback failed", e);
    }
  }

  private boolean stream(ExportedSnapshot export) throws InterruptedException {
    ManagedChannel channel = peer.channel();
    Call call = new Call();
    RaftTransportGrpc.newStub(channel).sendSnapshot(call);
    SnapshotChunkPb head = SnapshotChunkPb.newBuilder().setClusterId(ctx.clusterId())
        .setFromNode(ctx.nodeId()).setToNode(peer.node).setSnapshotId(snapshotId).build();
    try {
      for (Iterator<SnapshotChunk> it = export.chunks(); it.hasNext(); ) {
        SnapshotChunk c = it.next();
        limiter.acquire(c.data().length);
        call.awaitReady();
        call.stream.onNext(head.toBuilder().setFileName(c.fileName()).setCf(c.cf().rocksName())
            .setOffset(c.offset()).setData(UnsafeByteOperations.unsafeWrap(c.data()))
            .setCrc32C(c.crc32c()).build());
        ctx.counters().snapshotBytesSent.add(c.data().length);
      }
      call.awaitReady();
      call.stream.onNext(head.toBuilder()
          .setManifest(ByteString.copyFrom(export.manifest().encode()))
          .setRaftMessage(MessageCodec.encode(envelope.rangeId(), envelope.message())).build());
      call.stream.onCompleted();
      SnapshotAck ack = call.awaitAnswer();
      if (!ack.getOk()) {
        LOG.log(Level.WARNING, "node " + peer.node + " refused the snapshot of range "
            + envelope.rangeId() + ": " + ack.getError());
      }
      return ack.getOk();
    } catch (InterruptedException | RuntimeException e) {
      call.stream.cancel("snapshot transfer abandoned", e);
      throw e;
    }
  }

  /** The call's state, shared between the sending thread and gRPC's callbacks. */
  private static final class Call implements ClientResponseObserver<SnapshotChunkPb, SnapshotAck> {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile ClientCallStreamObserver<SnapshotChunkPb> stream;
    private SnapshotAck answer;
    private Throwable failure;
    private boolean closed;

    @Override
    public void beforeStart(ClientCallStreamObserver<SnapshotChunkPb> requestStream) {
      stream = requestStream;
      requestStream.setOnReadyHandler(this::signal);
    }

    @Override
    public void onNext(SnapshotAck ack) {
      lock.lock();
      try {
        answer = ack;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void onError(Throwable t) {
      lock.lock();
      try {
        failure = t;
        closed = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void onCompleted() {
      lock.lock();
      try {
        closed = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    private void signal() {
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Waits until gRPC takes another chunk without buffering it beyond its small threshold. */
    void awaitReady() throws InterruptedException {
      lock.lock();
      try {
        long left = STALL_NANOS;
        while (!stream.isReady()) {
          if (answer != null || closed) {
            throw new IllegalStateException("the receiver ended the transfer early: "
                + (answer != null ? answer.getError() : String.valueOf(failure)));
          }
          if (left <= 0) {
            throw new IllegalStateException("the receiver took no data for "
                + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s");
          }
          left = changed.awaitNanos(left);
        }
      } finally {
        lock.unlock();
      }
    }

    SnapshotAck awaitAnswer() throws InterruptedException {
      lock.lock();
      try {
        long left = STALL_NANOS;
        while (answer == null && !closed) {
          if (left <= 0) {
            throw new IllegalStateException("the receiver did not answer in "
                + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS) + " s");
          }
          left = changed.awaitNanos(left);
        }
        if (answer == null) {
          throw new IllegalStateException("the receiver closed without answering: " + failure);
        }
        return answer;
      } finally {
        lock.unlock();
      }
    }
  }
}
