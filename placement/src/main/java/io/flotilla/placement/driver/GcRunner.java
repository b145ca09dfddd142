package io.flotilla.placement.driver;

import io.flotilla.multiraft.proto.AdminGcRequest;
import io.flotilla.multiraft.proto.AdminGcResponse;
import io.flotilla.multiraft.proto.LockInfoPb;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * MVCC garbage collection, run by the driver every GC interval: it picks a safe point and has
 * every range's leader collect the versions below it ({@code NodeAdmin.Gc}; each range keeps
 * its safe point in its replicated state and refuses reads and prewrites below it from then
 * on).
 *
 * <p>The safe point is the retention ago in TSO time, and below the start of the oldest
 * transaction lock any store reports: a transaction that has written keeps every version it
 * may read. One with no write yet is protected by the retention alone: it fails with TOO_OLD
 * once it runs longer. A lock older than the retention (its coordinator most likely died) is
 * resolved first, from its primary, so that it does not hold the safe point back forever; a
 * range that still holds a lock at or below the safe point refuses to collect until it is
 * resolved, since collecting could remove the commit record its resolution needs.
 *
 * <p>One pass at a time, on a virtual thread of its own, so the driver's rounds go on.
 */
final class GcRunner {
  /** Settles another transaction's lock from its primary (waiting a little if it is live). */
  interface LockResolver {
    void resolve(LockInfoPb lock);
  }

  private final LongSupplier tso;
  private final LockResolver resolver;
  private final Function<String, NodeAdminGrpc.NodeAdminBlockingStub> admin;
  private final Consumer<String> log;
  private final Duration retention;
  private final Duration interval;
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile long safePoint;
  private long lastStartMillis = Long.MIN_VALUE / 2;

  GcRunner(LongSupplier tso, LockResolver resolver,
      Function<String, NodeAdminGrpc.NodeAdminBlockingStub> admin, Consumer<String> log,
      Duration retention, Duration interval) {
    this.tso = tso;
    this.resolver = resolver;
    this.admin = admin;
    this.log = log;
    this.retention = retention;
    this.interval = interval;
  }

  /** The safe point of the last pass that collected (0 before the first). */
  long safePoint() {
    return safePoint;
  }

  /** Starts a pass if one is due and none runs; called from the driver's rounds. */
  void maybeStart(long nowMillis, ClusterView view, Map<Long, StorePoller.Report> reports,
      Map<Long, String> addresses) {
    if (nowMillis - lastStartMillis < interval.toMillis() || !running.compareAndSet(false, true)) {
      return;
    }
    lastStartMillis = nowMillis;
    List<LockInfoPb> oldest = new ArrayList<>();
    reports.values().forEach(r -> {
      if (r.status().getStore().hasOldestLock()) {
        oldest.add(r.status().getStore().getOldestLock());
      }
    });
    Thread.ofVirtual().name("flotilla-gc").start(() -> {
      try {
        pass(view, oldest, addresses);
      } catch (RuntimeException e) {
        log.accept("gc: pass failed: " + e);
      } finally {
        running.set(false);
      }
    });
  }

  private void pass(ClusterView view, List<LockInfoPb> oldestLocks,
      Map<Long, String> addresses) {
    long now = tso.getAsLong();
    long target = now - (retention.toMillis() << 18);
    long bound = target;
    for (LockInfoPb lock : oldestLocks) {
      if (lock.getStartTs() <= target) {
        resolveQuietly(lock);
      }
      bound = Math.min(bound, lock.getStartTs() - 1);
    }
    if (bound <= safePoint) {
      return; // a lock holds it back, or nothing is older than before
    }
    long versions = 0;
    int collected = 0;
    List<String> blocked = new ArrayList<>();
    for (RangeStats r : view.ranges()) {
      String address = addresses.get(r.leaderStore());
      if (address == null) {
        blocked.add("range " + r.rangeId() + " (no leader)");
        continue;
      }
      AdminGcResponse resp = collect(address, r.rangeId(), bound);
      if (resp.hasBlockedBy()) {
        resolveQuietly(resp.getBlockedBy());
        resp = collect(address, r.rangeId(), bound);
      }
      if (resp.hasError() || resp.hasBlockedBy()) {
        blocked.add("range " + r.rangeId() + " (" + (resp.hasError()
            ? resp.getError().getMessage() : "a live lock at ts "
            + resp.getBlockedBy().getStartTs()) + ")");
        continue;
      }
      collected++;
      versions += resp.getVersionsRemoved();
    }
    if (blocked.isEmpty()) {
      safePoint = bound;
    }
    log.accept("gc: safe point " + bound + " (" + ((now - bound) >>> 18) / 1000 + " s before"
        + " TSO time): " + collected + " ranges collected, " + versions + " old versions removed"
        + (blocked.isEmpty() ? "" : "; not yet: " + String.join(", ", blocked)));
  }

  private AdminGcResponse collect(String address, long rangeId, long safePoint) {
    try {
      return admin.apply(address).withDeadlineAfter(60, TimeUnit.SECONDS).gc(AdminGcRequest
          .newBuilder().setRangeId(rangeId).setSafePoint(safePoint).build());
    } catch (RuntimeException e) {
      return AdminGcResponse.newBuilder().setError(io.flotilla.multiraft.proto.KvError
          .newBuilder().setMessage(String.valueOf(e))).build();
    }
  }

  private void resolveQuietly(LockInfoPb lock) {
    try {
      resolver.resolve(lock);
    } catch (RuntimeException e) {
      log.accept("gc: could not resolve the lock of transaction " + lock.getStartTs() + ": "
          + e.getMessage());
    }
  }
}
