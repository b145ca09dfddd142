package io.flotilla.multiraft.node;

import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.AbandonMergeRequest;
import io.flotilla.multiraft.proto.AbandonMergeResponse;
import io.flotilla.multiraft.proto.AdminGcRequest;
import io.flotilla.multiraft.proto.AdminGcResponse;
import io.flotilla.multiraft.proto.AdminJoinRequest;
import io.flotilla.multiraft.proto.AdminMergeRequest;
import io.flotilla.multiraft.proto.AdminMergeResponse;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.ChangeReplicasRequest;
import io.flotilla.multiraft.proto.ChangeReplicasResponse;
import io.flotilla.multiraft.proto.GetRangeRequest;
import io.flotilla.multiraft.proto.GetRangeResponse;
import io.flotilla.multiraft.proto.JoinResponse;
import io.flotilla.multiraft.proto.MoveReplicaRequest;
import io.flotilla.multiraft.proto.MoveReplicaResponse;
import io.flotilla.multiraft.proto.TransferLeaderRequest;
import io.flotilla.multiraft.proto.TransferLeaderResponse;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.proto.PingRequest;
import io.flotilla.multiraft.proto.PingResponse;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.proto.RegisterRequest;
import io.flotilla.multiraft.proto.RegisterResponse;
import io.flotilla.multiraft.proto.StatusRequest;
import io.flotilla.multiraft.proto.StatusResponse;
import io.flotilla.multiraft.proto.UpdateMetaRequest;
import io.flotilla.multiraft.proto.UpdateMetaResponse;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The {@code NodeAdmin} gRPC service ({@code admin.proto}): pings between nodes, joins and
 * registrations and meta record updates (forwarded to the system range's leader), admin
 * splits (at a key, or by size: {@link ReplicaOps#splitBySize}) and replica changes (forwarded
 * to the range's leader: {@link ReplicaOps}), replica moves ({@link ReplicaMover}), merges
 * ({@link RangeMerger}) and their abandons ({@link MergeAbandoner}), and this node's view for
 * {@code flotilla status}. Handlers never block: they answer when a future completes.
 */
final class AdminService extends NodeAdminGrpc.NodeAdminImplBase {
  private final long self;
  private final String selfAddress;
  private final StoreRuntime runtime;
  private final Membership membership;
  private final MetaWriter metaWriter;
  private final Supplier<List<RangeMetaPb>> metaRecords;
  private final AddressBook book;
  private final PeerClients peers;
  private final Duration timeout;
  private final LongSupplier liveWindowNanos;
  private final Executor responder;
  private final StoreStatus storeStatus;
  private final ReplicaOps ops;
  private final ReplicaMover mover;
  private final RangeMerger merger;
  private final RangeGc gc;

  /**
   * @param responder where answers are sent from: futures of the runtime complete on its raft
   *     thread, which must not serialize responses
   */
  AdminService(long self, String selfAddress, StoreRuntime runtime, Membership membership,
      MetaWriter metaWriter, Supplier<List<RangeMetaPb>> metaRecords, AddressBook book,
      PeerClients peers, Duration timeout, LongSupplier liveWindowNanos, Executor responder,
      long pollMillis, java.util.function.Consumer<String> log, StoreStatus storeStatus) {
    this.storeStatus = storeStatus;
    this.ops = new ReplicaOps(self, runtime, book, peers, timeout, metaRecords,
        liveWindowNanos, storeStatus::middleKey, responder);
    this.mover = new ReplicaMover(ops, pollMillis, log);
    this.merger = new RangeMerger(self, runtime, ops, book, peers, timeout, pollMillis, log,
        new MergeAbandoner(self, runtime, ops, timeout.multipliedBy(2), log));
    this.gc = new RangeGc(self, runtime, book, peers, timeout);
    this.metaWriter = metaWriter;
    this.metaRecords = metaRecords;
    this.responder = responder;
    this.self = self;
    this.selfAddress = selfAddress;
    this.runtime = runtime;
    this.membership = membership;
    this.book = book;
    this.peers = peers;
    this.timeout = timeout;
    this.liveWindowNanos = liveWindowNanos;
  }

  @Override
  public void ping(PingRequest req, StreamObserver<PingResponse> out) {
    if (req.getFromNode() != 0) {
      // A node that pings us is alive, whether or not we ping it back successfully.
      book.heard(req.getFromNode());
    }
    reply(out, membership.ping());
  }

  @Override
  public void join(AdminJoinRequest req, StreamObserver<JoinResponse> out) {
    answer(out, membership.join(req.getAddress(), req.getForwarded()),
        e -> JoinResponse.newBuilder().setError(unavailable(e)).build());
  }

  @Override
  public void register(RegisterRequest req, StreamObserver<RegisterResponse> out) {
    answer(out, membership.register(req),
        e -> RegisterResponse.newBuilder().setError(unavailable(e)).build());
  }

  @Override
  public void split(AdminSplitRequest req, StreamObserver<AdminSplitResponse> out) {
    answer(out, split(req), e -> AdminSplitResponse.newBuilder().setError(unavailable(e))
        .build());
  }

  private CompletableFuture<AdminSplitResponse> split(AdminSplitRequest req) {
    if (req.getBySize()) {
      return ops.splitBySize(req);
    }
    byte[] key = Keyspace.toInternal(req.getUserKey().toByteArray());
    RangeInfo holder = null;
    for (RangeInfo ri : runtime.ranges()) {
      if (Arrays.equals(ri.descriptor().startKey(), key)) {
        // Already a boundary: splitting again is a no-op, so a repeated demo setup is harmless.
        return CompletableFuture.completedFuture(AdminSplitResponse.newBuilder()
            .setRange(ri.descriptor().toProto()).build());
      }
      if (ri.descriptor().contains(key)) {
        holder = ri;
      }
    }
    if (holder == null) {
      return CompletableFuture.completedFuture(AdminSplitResponse.newBuilder().setError(
          Membership.error(KvError.Code.RANGE_NOT_FOUND, "node " + self + " holds no range"
              + " with key " + Keyspace.show(key))).build());
    }
    RangeInfo range = holder;
    if (range.leader() == self) {
      return runtime.split(range.descriptor().rangeId(), key, req.getStickyUntilMillis())
          .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .thenApply(r -> r.error() == null
              ? AdminSplitResponse.newBuilder().setRange(range.descriptor().toProto())
                  .setSplitKey(req.getUserKey()).build()
              : AdminSplitResponse.newBuilder().setError(Membership.error(
                  KvError.Code.KEY_OUTSIDE_RANGE, r.error().getMessage())).build());
    }
    var leaderAddress = book.address(range.leader()).filter(a -> range.leader() != 0);
    if (req.getForwarded() || leaderAddress.isEmpty()) {
      return CompletableFuture.completedFuture(AdminSplitResponse.newBuilder().setError(
          KvError.newBuilder().setCode(KvError.Code.NOT_LEADER).setLeaderHint(range.leader())
              .setMessage("node " + self + " does not lead range "
                  + range.descriptor().rangeId() + "; retry")).build());
    }
    return PeerClients.<AdminSplitResponse>call(o -> peers.admin(leaderAddress.get(), timeout)
        .split(req.toBuilder().setForwarded(true).build(), o));
  }

  @Override
  public void updateMeta(UpdateMetaRequest req, StreamObserver<UpdateMetaResponse> out) {
    answer(out, metaWriter.update(req), e -> UpdateMetaResponse.newBuilder()
        .setError(unavailable(e)).build());
  }

  /** The primitive replica operations, for the node's replica GC. */
  ReplicaOps ops() {
    return ops;
  }

  /** The merges this node coordinates, for the node's merge watchdog. */
  RangeMerger merger() {
    return merger;
  }

  @Override
  public void changeReplicas(ChangeReplicasRequest req,
      StreamObserver<ChangeReplicasResponse> out) {
    answer(out, ops.changeReplicas(req), e -> ChangeReplicasResponse.newBuilder()
        .setError(unavailable(e)).build());
  }

  @Override
  public void transferLeader(TransferLeaderRequest req,
      StreamObserver<TransferLeaderResponse> out) {
    answer(out, ops.transferLeader(req), e -> TransferLeaderResponse.newBuilder()
        .setError(unavailable(e)).build());
  }

  @Override
  public void getRange(GetRangeRequest req, StreamObserver<GetRangeResponse> out) {
    answer(out, ops.getRange(req), e -> GetRangeResponse.newBuilder()
        .setError(unavailable(e)).build());
  }

  @Override
  public void moveReplica(MoveReplicaRequest req, StreamObserver<MoveReplicaResponse> out) {
    answer(out, mover.move(req), e -> MoveReplicaResponse.newBuilder()
        .setError(unavailable(e)).build());
  }

  @Override
  public void merge(AdminMergeRequest req, StreamObserver<AdminMergeResponse> out) {
    answer(out, merger.merge(req), e -> AdminMergeResponse.newBuilder()
        .setError(unavailable(e)).build());
  }

  @Override
  public void abandonMerge(AbandonMergeRequest req, StreamObserver<AbandonMergeResponse> out) {
    answer(out, ops.abandonMerge(req), e -> AbandonMergeResponse.newBuilder()
        .setError(unavailable(e)).build());
  }

  @Override
  public void gc(AdminGcRequest req, StreamObserver<AdminGcResponse> out) {
    answer(out, gc.gc(req), e -> AdminGcResponse.newBuilder().setError(unavailable(e))
        .build());
  }

  @Override
  public void status(StatusRequest req, StreamObserver<StatusResponse> out) {
    StatusResponse.Builder b = StatusResponse.newBuilder().setClusterId(membership.clusterId())
        .setNodeId(self).setAddress(selfAddress).addAllNodes(book.toProto())
        .addAllLiveNodes(book.live(liveWindowNanos.getAsLong()));
    for (RangeInfo ri : runtime.ranges()) {
      b.addRanges(storeStatus.range(ri));
    }
    b.addAllMeta(metaRecords.get()).setStore(storeStatus.store());
    reply(out, b.build());
  }

  private static KvError unavailable(Throwable e) {
    return Membership.error(KvError.Code.UNAVAILABLE, Membership.cause(e));
  }

  private <T> void answer(StreamObserver<T> out, CompletableFuture<T> f,
      java.util.function.Function<Throwable, T> onError) {
    f.whenCompleteAsync((r, e) -> reply(out, e == null ? r : onError.apply(e)), responder);
  }

  private static <T> void reply(StreamObserver<T> out, T response) {
    try {
      out.onNext(response);
      out.onCompleted();
    } catch (RuntimeException e) {
      // The caller went away.
    }
  }
}
