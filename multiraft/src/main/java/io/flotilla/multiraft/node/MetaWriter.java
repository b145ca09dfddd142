package io.flotilla.multiraft.node;

import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.MetaUpdatePb;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.proto.UpdateMetaRequest;
import io.flotilla.multiraft.proto.UpdateMetaResponse;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RangeMeta;
import io.flotilla.multiraft.runtime.StoreRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Writes range meta records through Raft on the system range: proposes them as one
 * {@code MetaUpdate} command if this node leads that range, else forwards them once to its
 * leader (or, if this node does not know the leader, to the other nodes in turn, which know it
 * if they hold a replica). The command stores each record only over an older one, so a caller
 * may send the same records again after any failure.
 */
final class MetaWriter {
  private final long self;
  private final StoreRuntime runtime;
  private final AddressBook book;
  private final PeerClients peers;
  private final Duration timeout;

  MetaWriter(long self, StoreRuntime runtime, AddressBook book, PeerClients peers,
      Duration timeout) {
    this.self = self;
    this.runtime = runtime;
    this.book = book;
    this.peers = peers;
    this.timeout = timeout;
  }

  /** Stores the records, here or at the system range's leader; an error says why not. */
  CompletableFuture<UpdateMetaResponse> update(UpdateMetaRequest req) {
    if (req.getRecordsCount() == 0) {
      return CompletableFuture.completedFuture(UpdateMetaResponse.getDefaultInstance());
    }
    Optional<RangeInfo> system = systemRange();
    long leader = system.map(RangeInfo::leader).orElse(0L);
    if (leader == self) {
      return proposeHere(req.getRecordsList())
          .thenApply(v -> UpdateMetaResponse.getDefaultInstance())
          .exceptionally(e -> failed(KvError.Code.UNAVAILABLE, "storing "
              + req.getRecordsCount() + " meta records failed: " + Membership.cause(e)));
    }
    if (req.getForwarded()) {
      return CompletableFuture.completedFuture(failed(KvError.Code.NOT_LEADER, "node " + self
          + " does not lead the system range" + (leader == 0 ? "" : "; node " + leader
          + " does")));
    }
    List<String> targets = new ArrayList<>();
    book.address(leader).filter(a -> leader != 0).ifPresent(targets::add);
    if (targets.isEmpty()) {
      book.snapshot().entrySet().stream().filter(e -> e.getKey() != self)
          .map(Map.Entry::getValue).forEach(targets::add);
    }
    return forward(req.toBuilder().setForwarded(true).build(), targets, 0,
        "no node to forward to");
  }

  /**
   * Proposes the records on this node's replica of the system range, which must lead it; fails
   * with the runtime's exception (e.g. {@code NotLeader}) or a timeout.
   */
  CompletableFuture<Void> proposeHere(List<RangeMetaPb> records) {
    CommandPb cmd = CommandPb.newBuilder().setMetaUpdate(MetaUpdatePb.newBuilder()
        .addAllRecords(records)).build();
    byte[] routingKey = RangeMeta.key(records.get(0).getRange().getEndKey().toByteArray());
    return runtime.propose(SystemKeys.SYSTEM_RANGE_ID, routingKey, cmd)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenAccept(r -> {
          if (r.error() != null) {
            throw r.error();
          }
        });
  }

  private CompletableFuture<UpdateMetaResponse> forward(UpdateMetaRequest req,
      List<String> targets, int next, String lastError) {
    if (next >= targets.size()) {
      return CompletableFuture.completedFuture(failed(KvError.Code.UNAVAILABLE,
          "no node stored the meta records: " + lastError));
    }
    String target = targets.get(next);
    return PeerClients.<UpdateMetaResponse>call(o -> peers.admin(target, timeout)
            .updateMeta(req, o))
        .exceptionally(e -> failed(KvError.Code.UNAVAILABLE, Membership.cause(e)))
        .thenCompose(r -> r.hasError() ? forward(req, targets, next + 1, target + ": "
            + r.getError().getMessage()) : CompletableFuture.completedFuture(r));
  }

  private Optional<RangeInfo> systemRange() {
    return runtime.ranges().stream()
        .filter(ri -> ri.descriptor().rangeId() == SystemKeys.SYSTEM_RANGE_ID).findFirst();
  }

  private static UpdateMetaResponse failed(KvError.Code code, String message) {
    return UpdateMetaResponse.newBuilder().setError(Membership.error(code, message)).build();
  }
}
