package io.flotilla.multiraft.node;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.proto.AdminGcRequest;
import io.flotilla.multiraft.proto.AdminGcResponse;
import io.flotilla.multiraft.proto.GcPb;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnErrorPb;
import io.flotilla.multiraft.proto.TxnResultPb;
import io.flotilla.multiraft.runtime.ApplyResult;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.flotilla.multiraft.runtime.TxnErrors;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Collects one range's old versions at a GC safe point on its leader: GC commands through the
 * range's log, {@link #KEYS_PER_COMMAND} keys at a time so that no entry grows large, until the
 * range's end. A node that does not lead the range passes the request to the leader once.
 */
final class RangeGc {
  static final int KEYS_PER_COMMAND = 1000;

  private final long self;
  private final StoreRuntime runtime;
  private final AddressBook book;
  private final PeerClients peers;
  private final Duration timeout;

  RangeGc(long self, StoreRuntime runtime, AddressBook book, PeerClients peers,
      Duration timeout) {
    this.self = self;
    this.runtime = runtime;
    this.book = book;
    this.peers = peers;
    this.timeout = timeout;
  }

  CompletableFuture<AdminGcResponse> gc(AdminGcRequest req) {
    return runtime.rangeInfo(req.getRangeId()).thenCompose(info -> {
      if (info.isPresent() && info.get().leader() == self) {
        return collect(req, info.get().descriptor().startKey(), 0, 0);
      }
      long leader = info.map(RangeInfo::leader).orElse(0L);
      Optional<String> to = leader == 0 ? Optional.empty() : book.address(leader);
      if (req.getForwarded() || to.isEmpty()) {
        return CompletableFuture.completedFuture(AdminGcResponse.newBuilder().setError(
            KvError.newBuilder().setCode(KvError.Code.NOT_LEADER).setLeaderHint(leader)
                .setMessage("node " + self + " does not lead range " + req.getRangeId()
                    + "; retry")).build());
      }
      return PeerClients.<AdminGcResponse>call(o -> peers.admin(to.get(), timeout)
          .gc(req.toBuilder().setForwarded(true).build(), o));
    });
  }

  private CompletableFuture<AdminGcResponse> collect(AdminGcRequest req, byte[] from,
      long keys, long removed) {
    TxnCommandPb cmd = TxnCommandPb.newBuilder().setGc(GcPb.newBuilder()
        .setSafePoint(req.getSafePoint()).setStartKey(ByteString.copyFrom(from))
        .setMaxKeys(KEYS_PER_COMMAND)).build();
    return runtime.txnWrite(req.getRangeId(), cmd)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(r -> {
          AdminGcResponse.Builder out = AdminGcResponse.newBuilder().setKeys(keys)
              .setVersionsRemoved(removed);
          if (r.error() != null) {
            return CompletableFuture.completedFuture(refused(out, r));
          }
          TxnResultPb done = parse(r);
          long k = keys + done.getGcKeys();
          long v = removed + done.getGcVersionsRemoved();
          if (done.getGcResumeKey().isEmpty()) {
            return CompletableFuture.completedFuture(out.setKeys(k).setVersionsRemoved(v)
                .build());
          }
          return collect(req, done.getGcResumeKey().toByteArray(), k, v);
        })
        .exceptionally(e -> AdminGcResponse.newBuilder().setKeys(keys).setVersionsRemoved(removed)
            .setError(Membership.error(KvError.Code.UNAVAILABLE, "GC of range "
                + req.getRangeId() + ": " + Membership.cause(e))).build());
  }

  private static AdminGcResponse refused(AdminGcResponse.Builder out, ApplyResult r) {
    TxnErrorPb e = TxnErrors.of(r.error(), 0);
    if (e != null && e.hasLocked()) {
      return out.setBlockedBy(e.getLocked()).build();
    }
    return out.setError(Membership.error(KvError.Code.INVALID, r.error().getMessage())).build();
  }

  private static TxnResultPb parse(ApplyResult r) {
    try {
      return TxnResultPb.parseFrom(r.current());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("a GC command's result is unreadable", e);
    }
  }
}
