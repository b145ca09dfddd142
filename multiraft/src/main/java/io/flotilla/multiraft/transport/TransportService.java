package io.flotilla.multiraft.transport;

import io.flotilla.multiraft.proto.BatchAck;
import io.flotilla.multiraft.proto.MessageBatch;
import io.flotilla.multiraft.proto.RaftTransportGrpc;
import io.flotilla.multiraft.proto.SnapshotAck;
import io.flotilla.multiraft.proto.SnapshotChunkPb;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server side of the transport. {@code Batches}: checks that each stream belongs to this
 * cluster and node, answers pings, and hands each batch's envelopes, in order, to the handler;
 * a stream that fails a check gets the reason in a {@link BatchAck} and is closed. Snapshot
 * streams go to the {@link SnapshotInbox}.
 *
 * <p>Runs on the Netty event loops (the server uses a direct executor): the handler's
 * {@code onMessages} must return quickly, as its contract says, and inbound flow control then
 * follows the handler's pace.
 */
final class TransportService extends RaftTransportGrpc.RaftTransportImplBase {
  private static final System.Logger LOG = System.getLogger(GrpcTransport.class.getName());
  /** Distinct refusals logged; beyond this many, a storm of bad peers cannot flood the log. */
  private static final int MAX_LOGGED_REFUSALS = 1024;

  private final long nodeId;
  private final long clusterId;
  private final Transport.Handler handler;
  private final Counters counters;
  private final SnapshotInbox inbox;
  private final Set<String> loggedRefusals = ConcurrentHashMap.newKeySet();

  TransportService(long nodeId, long clusterId, Transport.Handler handler, Counters counters,
      SnapshotInbox inbox) {
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.handler = handler;
    this.counters = counters;
    this.inbox = inbox;
  }

  @Override
  public StreamObserver<MessageBatch> batches(StreamObserver<BatchAck> responses) {
    return new InboundBatches(responses);
  }

  @Override
  public StreamObserver<SnapshotChunkPb> sendSnapshot(StreamObserver<SnapshotAck> responses) {
    return inbox.open((ServerCallStreamObserver<SnapshotAck>) responses);
  }

  /**
   * Why traffic from {@code fromNode} for node {@code to} of {@code cluster} is refused here,
   * or null if it is not.
   */
  static String misaddressed(long localNode, long localCluster, long fromNode, long cluster,
      long to) {
    if (cluster != localCluster) {
      return "node " + fromNode + " belongs to cluster " + hex(cluster) + ", but node "
          + localNode + " belongs to cluster " + hex(localCluster)
          + " (a node of another cluster, or a data directory from another cluster)";
    }
    if (to != localNode) {
      return "node " + fromNode + " addressed node " + to + ", but this is node " + localNode
          + " (a stale address for node " + to + "?)";
    }
    if (fromNode == 0) {
      return "the sender did not name its node";
    }
    return null;
  }

  private static String hex(long id) {
    return Long.toUnsignedString(id, 16);
  }

  /** Logs a refusal once per sender and reason: a refused peer reconnects over and over. */
  private void logRefusal(long fromNode, String reason) {
    String key = fromNode + "|" + reason;
    if (loggedRefusals.size() < MAX_LOGGED_REFUSALS && loggedRefusals.add(key)) {
      LOG.log(Level.ERROR, "refusing the messages of node " + fromNode + ": " + reason);
    }
  }

  private final class InboundBatches implements StreamObserver<MessageBatch> {
    private final StreamObserver<BatchAck> responses;
    private long fromNode; // 0 until the first batch
    private boolean refused;

    InboundBatches(StreamObserver<BatchAck> responses) {
      this.responses = responses;
    }

    @Override
    public void onNext(MessageBatch b) {
      if (refused) {
        return;
      }
      String problem = misaddressed(nodeId, clusterId, b.getFromNode(), b.getClusterId(),
          b.getToNode());
      if (problem == null && fromNode != 0 && b.getFromNode() != fromNode) {
        problem = "a stream of node " + fromNode + " carried a batch of node " + b.getFromNode();
      }
      if (problem != null) {
        refuse(b.getFromNode(), problem);
        return;
      }
      fromNode = b.getFromNode();
      if (b.getPing()) {
        responses.onNext(BatchAck.getDefaultInstance());
        return;
      }
      List<Envelope> envelopes;
      try {
        envelopes = MessageCodec.decode(b);
      } catch (IllegalArgumentException e) {
        refuse(fromNode, "malformed batch: " + e.getMessage());
        return;
      }
      counters.batchesReceived.increment();
      counters.messagesReceived.add(envelopes.size());
      counters.heartbeatsReceived.add(b.getHeartbeatsCount() + b.getHeartbeatResponsesCount());
      counters.bytesReceived.add(b.getSerializedSize());
      if (envelopes.isEmpty()) {
        return;
      }
      try {
        handler.onMessages(fromNode, envelopes);
      } catch (RuntimeException e) {
        // A bug in the runtime; the stream (and the other ranges on it) stay up.
        LOG.log(Level.ERROR, "the handler failed on " + envelopes.size()
            + " envelopes from node " + fromNode, e);
      }
    }

    private void refuse(long from, String problem) {
      refused = true;
      counters.refusedFromPeers.increment();
      logRefusal(from, problem);
      responses.onNext(BatchAck.newBuilder().setError(problem).build());
      responses.onCompleted();
    }

    @Override
    public void onError(Throwable t) {
      // The sender went away; it reconnects by itself.
    }

    @Override
    public void onCompleted() {
      if (!refused) {
        responses.onCompleted();
      }
    }
  }
}
