package io.flotilla.multiraft.client;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.CheckTxnStatusPb;
import io.flotilla.multiraft.proto.KvRequest;
import io.flotilla.multiraft.proto.LockInfoPb;
import io.flotilla.multiraft.proto.ResolveLocksPb;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnErrorPb;
import io.flotilla.multiraft.proto.TxnGetRequest;
import io.flotilla.multiraft.proto.TxnGetResponse;
import io.flotilla.multiraft.proto.TxnScanRequest;
import io.flotilla.multiraft.proto.TxnScanResponse;
import io.flotilla.multiraft.proto.TxnStatusPb;
import io.flotilla.multiraft.proto.TxnWriteRequest;
import io.flotilla.multiraft.proto.TxnWriteResponse;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A transaction's requests to ranges, through the KV client's {@link Router}. Every
 * transactional command is idempotent (a prewrite, commit, rollback or resolve asked twice
 * does what it did once), so they are routed as reads: retried after an unclear failure rather
 * than reported ambiguous. Reads and writes that meet another transaction's lock resolve it
 * here: its primary key decides whether it committed; a live one is waited for, within the
 * lock wait.
 */
final class TxnRpc {
  private final Router router;
  private final TimestampSource tso;
  private final TxnOptions options;
  private final SplittableRandom jitter = new SplittableRandom();

  TxnRpc(Router router, TimestampSource tso, TxnOptions options) {
    this.router = router;
    this.tso = tso;
    this.options = options;
  }

  /**
   * A fresh timestamp for {@code what}. A source that has none makes the step UNAVAILABLE: a
   * step waiting for a timestamp has not committed anything yet.
   */
  long timestamp(String what) {
    try {
      return tso.next();
    } catch (RuntimeException e) {
      throw new TxnException(TxnException.Kind.UNAVAILABLE, what + ": no timestamp: "
          + e.getMessage(), e);
    }
  }

  TxnOptions options() {
    return options;
  }

  /** A step on the range holding {@code key}; {@code command} builds it for that range. */
  Router.Routed<TxnWriteResponse> write(String op, byte[] key,
      Function<CachedRange, TxnCommandPb> command) {
    return router.route(op, key, false,
        (ep, range) -> ep.call(KvRequest.newBuilder().setTxnWrite(TxnWriteRequest.newBuilder()
            .setRangeId(range.rangeId()).setCommand(command.apply(range)))).getTxnWrite(),
        TxnWriteResponse::getError);
  }

  /** The value of internal key {@code key} at {@code ts}, after resolving locks in the way. */
  byte[] get(byte[] key, long ts) {
    LockWait wait = new LockWait();
    while (true) {
      TxnGetResponse r = unavailableIfGivenUp("read", () -> router.route("txn get", key, false,
          (ep, range) -> ep.call(KvRequest.newBuilder().setTxnGet(TxnGetRequest.newBuilder()
              .setRangeId(range.rangeId()).setKey(ByteString.copyFrom(key)).setReadTs(ts)))
              .getTxnGet(),
          TxnGetResponse::getError).response());
      if (!r.hasTxnError()) {
        return r.getFound() ? r.getValue().toByteArray() : null;
      }
      resolveOrThrow(r.getTxnError(), wait, "read of " + Keyspace.show(key));
    }
  }

  /** One page of a snapshot scan from {@code from} (internal keys), locks resolved. */
  TxnScanResponse scanPage(byte[] from, byte[] stop, int limit, long ts) {
    LockWait wait = new LockWait();
    while (true) {
      TxnScanResponse r = unavailableIfGivenUp("scan", () -> router.route("txn scan", from,
          false, (ep, range) -> ep.stub().txnScan(TxnScanRequest.newBuilder()
              .setRangeId(range.rangeId()).setStartKey(ByteString.copyFrom(from))
              .setEndKey(ByteString.copyFrom(stop)).setLimit(limit).setReadTs(ts).build()),
          TxnScanResponse::getError).response());
      if (!r.hasTxnError()) {
        return r;
      }
      resolveOrThrow(r.getTxnError(), wait, "scan from " + Keyspace.show(from));
    }
  }

  /**
   * Resolves the lock a refusal names, then returns so that the caller tries again; any other
   * refusal is thrown as what it means for the transaction.
   */
  void resolveOrThrow(TxnErrorPb e, LockWait wait, String what) {
    if (!e.hasLocked()) {
      throw failure(e, what);
    }
    resolve(e.getLocked(), wait, what);
  }

  /**
   * Settles another transaction's lock as its primary decides (true), or waits a little if that
   * transaction is alive (false). Throws {@link TxnException.Kind#LOCKED} once the wait is used
   * up.
   */
  boolean resolve(LockInfoPb lock, LockWait wait, String what) {
    TxnStatusPb status = status(lock.getPrimary().toByteArray(), lock.getStartTs());
    switch (status.getStatusCase()) {
      case COMMITTED_TS -> settle(lock.getKey().toByteArray(), lock.getStartTs(),
          status.getCommittedTs());
      case ROLLED_BACK -> settle(lock.getKey().toByteArray(), lock.getStartTs(), 0);
      default -> {
        wait.pause(what + ": key " + Keyspace.show(lock.getKey().toByteArray())
            + " is locked by live transaction " + lock.getStartTs());
        return false;
      }
    }
    return true;
  }

  /** The fate of transaction {@code startTs}, decided at its primary key now. */
  private TxnStatusPb status(byte[] primary, long startTs) {
    long now = timestamp("status check of transaction " + startTs);
    TxnWriteResponse r = unavailableIfGivenUp("status check", () -> write("check txn status",
        primary, range -> TxnCommandPb.newBuilder().setCheckStatus(CheckTxnStatusPb.newBuilder()
            .setPrimary(ByteString.copyFrom(primary)).setStartTs(startTs).setCurrentTs(now))
            .build()).response());
    if (r.hasTxnError()) {
      throw failure(r.getTxnError(), "status of transaction " + startTs);
    }
    return r.getResult().getStatus();
  }

  /** Commits (commitTs above 0) or rolls back one key of a decided transaction. */
  private void settle(byte[] key, long startTs, long commitTs) {
    TxnWriteResponse r = unavailableIfGivenUp("lock resolution", () -> write("resolve lock",
        key, range -> TxnCommandPb.newBuilder().setResolve(ResolveLocksPb.newBuilder()
            .addKeys(ByteString.copyFrom(key)).setStartTs(startTs).setCommitTs(commitTs))
            .build()).response());
    // Someone else settled it first (its outcome is on the key): that is what was wanted.
    if (r.hasTxnError() && !r.getTxnError().getNotFound() && !r.getTxnError().getAborted()
        && r.getTxnError().getCommittedTs() == 0) {
      throw failure(r.getTxnError(), "resolving key " + Keyspace.show(key));
    }
  }

  /** What a refusal means for the transaction that got it. */
  static TxnException failure(TxnErrorPb e, String what) {
    TxnException.Kind kind = switch (e.getKindCase()) {
      case WRITE_CONFLICT -> TxnException.Kind.CONFLICT;
      case ABORTED, NOT_FOUND -> TxnException.Kind.ABORTED;
      case BELOW_SAFE_POINT -> TxnException.Kind.TOO_OLD;
      case LOCKED -> TxnException.Kind.LOCKED;
      default -> TxnException.Kind.INVALID;
    };
    return new TxnException(kind, what + ": " + e.getMessage(), null);
  }

  /** Runs a routed call; a router that gave up is UNAVAILABLE (nothing is known to apply). */
  static <T> T unavailableIfGivenUp(String what, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (KvException e) {
      if (e.code() == io.flotilla.multiraft.proto.KvError.Code.INVALID) {
        throw new TxnException(TxnException.Kind.INVALID, what + ": " + e.getMessage(), e);
      }
      throw new TxnException(TxnException.Kind.UNAVAILABLE, what + ": " + e.getMessage(), e);
    }
  }

  /** How long one read or prewrite still waits for live locks, with a growing pause. */
  final class LockWait {
    private final long deadlineNanos = System.nanoTime() + options.lockWait().toNanos();
    private final Backoff backoff;

    LockWait() {
      synchronized (jitter) {
        backoff = new Backoff(5, 200, jitter.split());
      }
    }

    void pause(String why) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        throw new TxnException(TxnException.Kind.LOCKED, why + "; waited "
            + options.lockWait().toMillis() + " ms", null);
      }
      try {
        Thread.sleep(Math.min(backoff.nextDelayMillis(), Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TxnException(TxnException.Kind.LOCKED, why + "; interrupted", e);
      }
    }
  }
}
