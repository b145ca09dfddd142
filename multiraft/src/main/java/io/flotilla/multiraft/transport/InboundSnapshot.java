package io.flotilla.multiraft.transport;

import io.flotilla.kv.Cf;
import io.flotilla.kv.snapshot.IncomingSnapshot;
import io.flotilla.kv.snapshot.KeySpan;
import io.flotilla.kv.snapshot.SnapshotChunk;
import io.flotilla.kv.snapshot.SnapshotManifest;
import io.flotilla.multiraft.proto.SnapshotAck;
import io.flotilla.multiraft.proto.SnapshotChunkPb;
import io.flotilla.raft.Message;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;

/**
 * One snapshot stream being received: chunks are staged into an {@link IncomingSnapshot}; the
 * final message (manifest and raft message) hands the staged snapshot to the handler, which
 * then owns it, and is answered "ok". Any bad chunk, misaddressed stream or refusal ends the
 * stream with an error answer and discards what was staged.
 *
 * <p>gRPC callbacks only enqueue work; all state is confined to the inbox's worker thread.
 */
final class InboundSnapshot implements StreamObserver<SnapshotChunkPb> {
  private static final System.Logger LOG = System.getLogger(GrpcTransport.class.getName());

  private final SnapshotInbox inbox;
  private final ServerCallStreamObserver<SnapshotAck> responses;
  private IncomingSnapshot staged;
  private long fromNode;
  private long snapshotId;
  private boolean ended;

  InboundSnapshot(SnapshotInbox inbox, ServerCallStreamObserver<SnapshotAck> responses) {
    this.inbox = inbox;
    this.responses = responses;
  }

  @Override
  public void onNext(SnapshotChunkPb chunk) {
    inbox.submit(() -> handle(chunk));
  }

  @Override
  public void onError(Throwable t) {
    inbox.submit(() -> abort("the sender cancelled: " + t.getMessage()));
  }

  @Override
  public void onCompleted() {
    inbox.submit(() -> refuse("the stream ended before the manifest"));
  }

  private void handle(SnapshotChunkPb c) {
    if (ended) {
      return;
    }
    try {
      if (staged == null) {
        String problem = TransportService.misaddressed(inbox.nodeId(), inbox.clusterId(),
            c.getFromNode(), c.getClusterId(), c.getToNode());
        if (problem != null) {
          refuse(problem);
          return;
        }
        fromNode = c.getFromNode();
        snapshotId = c.getSnapshotId();
        staged = inbox.incoming().begin(snapshotId);
      } else if (c.getSnapshotId() != snapshotId || c.getFromNode() != fromNode) {
        refuse("the stream of snapshot " + Long.toHexString(snapshotId) + " from node "
            + fromNode + " carried a chunk of snapshot " + Long.toHexString(c.getSnapshotId())
            + " from node " + c.getFromNode());
        return;
      }
      if (c.hasRaftMessage()) {
        finish(c);
      } else {
        SnapshotChunk chunk = new SnapshotChunk(snapshotId, c.getFileName(), cf(c.getCf()),
            c.getOffset(), c.getData().toByteArray(), c.getCrc32C());
        staged.accept(chunk);
        inbox.counters().snapshotBytesReceived.add(chunk.data().length);
        responses.request(1);
      }
    } catch (RuntimeException e) { // a bad chunk, a store failure, a refusal by the receiver
      refuse(e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private void finish(SnapshotChunkPb c) {
    SnapshotManifest manifest = SnapshotManifest.decode(c.getManifest().toByteArray());
    Message m = MessageCodec.decode(c.getRaftMessage());
    if (!(m instanceof Message.InstallSnapshot)) {
      throw new IllegalArgumentException("the final message carries " + m
          + ", not an InstallSnapshot");
    }
    Envelope envelope = new Envelope(c.getRaftMessage().getRangeId(), m);
    IncomingSnapshot handed = staged;
    staged = null; // the handler owns it from here, even if it throws
    ended = true;
    inbox.ended(this);
    try {
      inbox.handler().onSnapshot(fromNode, envelope, handed, manifest);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "the handler failed on snapshot " + Long.toHexString(snapshotId)
          + " of range " + envelope.rangeId() + " from node " + fromNode, e);
      closeQuietly(handed);
      answer(false, "node " + inbox.nodeId() + " failed to take the snapshot: " + e);
      return;
    }
    inbox.counters().snapshotsReceived.increment();
    answer(true, "");
  }

  private void refuse(String reason) {
    if (ended) {
      return;
    }
    end();
    inbox.counters().snapshotsRefused.increment();
    LOG.log(Level.WARNING, "refused snapshot " + Long.toHexString(snapshotId) + " from node "
        + fromNode + ": " + reason);
    answer(false, reason);
  }

  /** Ends without an answer: the sender is gone, or the transport closes. */
  void abort(String reason) {
    if (ended) {
      return;
    }
    end();
    LOG.log(Level.DEBUG, () -> "snapshot " + Long.toHexString(snapshotId) + " from node "
        + fromNode + " abandoned: " + reason);
  }

  private void end() {
    ended = true;
    inbox.ended(this);
    if (staged != null) {
      closeQuietly(staged);
      staged = null;
    }
  }

  private void answer(boolean ok, String error) {
    try {
      responses.onNext(SnapshotAck.newBuilder().setOk(ok).setError(error).build());
      responses.onCompleted();
    } catch (RuntimeException e) {
      // The call was cancelled meanwhile; nobody is listening.
    }
  }

  private static void closeQuietly(IncomingSnapshot s) {
    try {
      s.close();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot discard a staged snapshot (the store's recovery will)", e);
    }
  }

  private static Cf cf(String name) {
    for (Cf cf : KeySpan.DATA_CFS) {
      if (cf.rocksName().equals(name)) {
        return cf;
      }
    }
    throw new IllegalArgumentException("chunk names column family '" + name
        + "', which a range snapshot never carries");
  }
}
