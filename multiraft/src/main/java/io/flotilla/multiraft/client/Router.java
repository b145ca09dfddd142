package io.flotilla.multiraft.client;

import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.RangeInfoPb;
import io.flotilla.multiraft.proto.RangeLookupRequest;
import io.flotilla.multiraft.proto.RangeLookupResponse;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.grpc.StatusRuntimeException;
import com.google.protobuf.ByteString;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Sends one request for a key to the node that should serve it, and retries until it gets an
 * answer, the request is refused for good, or the attempts or time run out.
 *
 * <p>Rules, per answer: {@code NOT_LEADER} with a new hint: retry at once at the hinted node
 * (without a hint: another replica, after a backoff). {@code KEY_OUTSIDE_RANGE} and
 * {@code RANGE_NOT_FOUND}: correct the cache and retry at once. {@code PROPOSAL_DROPPED},
 * {@code UNAVAILABLE} and connection failures: back off and retry, preferring another replica.
 * {@code INVALID}: give up. For a write, {@code AMBIGUOUS} or a failure that may have struck
 * after the request was sent ends the operation with {@link AmbiguousResultException}: a write
 * is retried only when every earlier attempt certainly did not apply.
 */
final class Router {
  /** One RPC of an operation, against the range the router chose. */
  interface Call<R> {
    R send(Endpoint endpoint, CachedRange range);
  }

  /** A successful answer and the range that gave it. */
  record Routed<R>(R response, CachedRange range) {}

  /** At most this many immediate retries in a row: stale hints must not spin. */
  private static final int MAX_IMMEDIATE = 3;
  /**
   * No attempt starts with less time left: it would most likely end in a deadline, which for a
   * write is ambiguous, where giving up before sending is not.
   */
  private static final long MIN_ATTEMPT_MILLIS = 100;

  private final RangeCache cache;
  private final NodeDirectory nodes;
  private final KvClientOptions options;
  private final SplittableRandom jitter;

  Router(RangeCache cache, NodeDirectory nodes, KvClientOptions options) {
    this.cache = cache;
    this.nodes = nodes;
    this.options = options;
    this.jitter = new SplittableRandom(options.jitterSeed());
  }

  <R> Routed<R> route(String op, byte[] key, boolean write, Call<R> call,
      Function<R, KvError> errorOf) {
    Attempts a = new Attempts(op, key);
    while (true) {
      a.next();
      CachedRange range = locate(key, a);
      if (range == null) {
        a.pause(false);
        continue;
      }
      long node = pickNode(range, a);
      String addr = node == 0 ? null : addressOf(node, a);
      if (addr == null) {
        a.failed(null, range, node, "no address known for node " + node);
        a.avoid = node;
        a.pause(false);
        continue;
      }
      R resp;
      try {
        long rpcMillis = a.rpcMillis();
        resp = call.send(new Endpoint(nodes.stub(addr).withDeadlineAfter(rpcMillis,
            TimeUnit.MILLISECONDS), nodes.multiplexer(addr), rpcMillis), range);
      } catch (StatusRuntimeException e) {
        String what = "node " + node + " at " + addr + ": " + Failures.describe(e);
        if (write && !Failures.certainlyNotSent(e)) {
          throw new AmbiguousResultException(a.where(range, node) + ": outcome unknown, the "
              + "request may have reached the node before " + Failures.describe(e), e);
        }
        forgetLeader(range, node);
        // The node may have restarted at another address: learn the current ones.
        nodes.refresh(a.deadlineMillis);
        a.failed(null, range, node, what);
        a.avoid = node;
        a.pause(false);
        continue;
      }
      KvError err = errorOf.apply(resp);
      switch (err.getCode()) {
        case NONE -> {
          if (range.leader() != node) {
            cache.setLeader(range, node);
          }
          return new Routed<>(resp, range);
        }
        case NOT_LEADER -> {
          a.failed(err, range, node, err.getMessage());
          RangeDescriptor d = err.hasRange() ? RangeDescriptor.fromProto(err.getRange())
              : range.descriptor();
          long hint = err.getLeaderHint();
          boolean follow = hint != 0 && hint != node;
          if (!cache.put(d, follow ? hint : 0)) {
            cache.setLeader(range, follow ? hint : 0);
          }
          a.avoid = node;
          a.pause(follow);
        }
        case KEY_OUTSIDE_RANGE -> {
          a.failed(err, range, node, err.getMessage());
          cache.invalidate(range.descriptor());
          if (err.hasRange()) {
            cache.put(RangeDescriptor.fromProto(err.getRange()), 0);
          }
          a.pause(true);
        }
        case RANGE_NOT_FOUND -> {
          a.failed(err, range, node, err.getMessage());
          cache.invalidate(range.descriptor());
          a.avoid = node;
          a.pause(true);
        }
        case INVALID -> throw new KvException(a.where(range, node) + ": refused: "
            + err.getMessage(), err.getCode(), null);
        case AMBIGUOUS -> {
          if (write) {
            throw new AmbiguousResultException(a.where(range, node) + ": outcome unknown: "
                + err.getMessage(), null);
          }
          retryLater(a, err, range, node);
        }
        case PROPOSAL_DROPPED, UNAVAILABLE -> retryLater(a, err, range, node);
        default -> {
          // A code this client does not know: it cannot tell whether a write applied.
          if (write) {
            throw new AmbiguousResultException(a.where(range, node) + ": unknown error "
                + err.getCode() + ": " + err.getMessage(), null);
          }
          retryLater(a, err, range, node);
        }
      }
    }
  }

  private void retryLater(Attempts a, KvError err, CachedRange range, long node) {
    a.failed(err, range, node, err.getCode() + ": " + err.getMessage());
    forgetLeader(range, node);
    a.avoid = node;
    a.pause(false);
  }

  private void forgetLeader(CachedRange range, long node) {
    if (range.leader() == node) {
      cache.setLeader(range, 0);
    }
  }

  /** The cached range of a key, else one learned by a RangeLookup; null if no node knew. */
  private CachedRange locate(byte[] key, Attempts a) {
    CachedRange r = cache.find(key);
    if (r != null) {
      return r;
    }
    List<String> addrs = nodes.anyNodes();
    for (int i = 0; i < addrs.size(); i++) {
      // Each lookup of an operation starts at another node: one lagging node must not keep
      // answering with a descriptor the cache already knows to be stale.
      String addr = addrs.get((a.lookups + i) % addrs.size());
      long remaining = a.remainingMillis();
      if (remaining <= 0) {
        break;
      }
      try {
        RangeLookupResponse resp = nodes.stub(addr)
            .withDeadlineAfter(Math.min(remaining, options.rpcTimeout().toMillis()),
                TimeUnit.MILLISECONDS)
            .rangeLookup(RangeLookupRequest.newBuilder().setKey(ByteString.copyFrom(key))
                .build());
        if (resp.hasError()) {
          a.failed(resp.getError(), null, 0, "range lookup at " + addr + ": "
              + resp.getError().getMessage());
          continue;
        }
        for (RangeInfoPb ri : resp.getRangesList()) {
          cache.put(RangeDescriptor.fromProto(ri.getRange()), ri.getLeader());
        }
        r = cache.find(key);
        if (r != null) {
          a.lookups++;
          return r;
        }
        a.failed(null, null, 0, "range lookup at " + addr + " found no range holding the key");
      } catch (StatusRuntimeException e) {
        a.failed(null, null, 0, "range lookup at " + addr + ": " + Failures.describe(e));
      }
    }
    a.lookups++;
    return null;
  }

  /** The leader if known (and not just failed), else the replicas in turn. */
  private static long pickNode(CachedRange range, Attempts a) {
    if (range.leader() != 0 && range.leader() != a.avoid) {
      return range.leader();
    }
    List<Long> replicas = range.replicas();
    if (replicas.isEmpty()) {
      return 0;
    }
    for (int i = 0; i < replicas.size(); i++) {
      long candidate = replicas.get((a.rotation++) % replicas.size());
      if (candidate != a.avoid || replicas.size() == 1) {
        return candidate;
      }
    }
    return replicas.get(0);
  }

  private String addressOf(long node, Attempts a) {
    String addr = nodes.address(node);
    if (addr == null) {
      nodes.refresh(a.deadlineMillis);
      addr = nodes.address(node);
    }
    return addr;
  }

  /** The bookkeeping of one operation's attempts: budget, backoff, the last failure. */
  private final class Attempts {
    final String op;
    final byte[] key;
    final long startMillis = System.currentTimeMillis();
    final long deadlineMillis = startMillis + options.totalTimeout().toMillis();
    final Backoff backoff;
    int count;
    int immediateStreak;
    int rotation;
    int lookups;
    long avoid;
    String lastFailure = "none";
    KvError.Code lastCode;

    Attempts(String op, byte[] key) {
      this.op = op;
      this.key = key;
      synchronized (jitter) {
        this.backoff = new Backoff(options.backoffBase().toMillis(),
            options.backoffMax().toMillis(), jitter.split());
      }
    }

    void next() {
      if (count >= options.maxAttempts()) {
        giveUp("after " + count + " attempts");
      }
      if (count > 0 && remainingMillis() < MIN_ATTEMPT_MILLIS) {
        giveUp("within " + options.totalTimeout().toMillis() + " ms");
      }
      count++;
    }

    long remainingMillis() {
      return deadlineMillis - System.currentTimeMillis();
    }

    long rpcMillis() {
      return Math.max(1, Math.min(options.rpcTimeout().toMillis(), remainingMillis()));
    }

    void failed(KvError err, CachedRange range, long node, String what) {
      lastCode = err == null ? null : err.getCode();
      lastFailure = (range == null ? "" : "range " + range.descriptor() + ", ") + what;
    }

    /** Waits before the next attempt: not at all after fresh routing news, unless it spins. */
    void pause(boolean immediate) {
      if (immediate && immediateStreak < MAX_IMMEDIATE) {
        immediateStreak++;
        return;
      }
      immediateStreak = 0;
      long remaining = remainingMillis();
      if (remaining <= 0) {
        giveUp("within " + options.totalTimeout().toMillis() + " ms");
      }
      try {
        Thread.sleep(Math.min(remaining, backoff.nextDelayMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        // No request is in flight while backing off: nothing of this attempt can apply.
        throw new KvException(op + " key " + Keyspace.show(key) + ": interrupted while"
            + " retrying; last failure: " + lastFailure, lastCode, e);
      }
      if (remainingMillis() <= 0) {
        giveUp("within " + options.totalTimeout().toMillis() + " ms");
      }
    }

    private void giveUp(String bound) {
      throw new KvException(op + " key " + Keyspace.show(key) + ": no success " + bound + " ("
          + count + " attempts in " + (System.currentTimeMillis() - startMillis) + " ms); last"
          + " failure: " + lastFailure, lastCode, null);
    }

    String where(CachedRange range, long node) {
      return op + " key " + Keyspace.show(key) + " (range " + range.descriptor() + ", node "
          + node + ")";
    }
  }
}
