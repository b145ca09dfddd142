package io.flotilla.multiraft.node;

import com.google.protobuf.ByteString;
import io.flotilla.kv.mvcc.SplitKeyFinder;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.AbandonMergeRequest;
import io.flotilla.multiraft.proto.AbandonMergeResponse;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.ChangeReplicasRequest;
import io.flotilla.multiraft.proto.ChangeReplicasResponse;
import io.flotilla.multiraft.proto.GetRangeRequest;
import io.flotilla.multiraft.proto.GetRangeResponse;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.proto.RangeStatusPb;
import io.flotilla.multiraft.proto.TransferLeaderRequest;
import io.flotilla.multiraft.proto.TransferLeaderResponse;
import io.flotilla.multiraft.runtime.MergeAbandonment;
import io.flotilla.multiraft.runtime.MergeFreeze;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeException;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The primitive replica operations of the admin API, run on the range's leader: a node that
 * does not lead the range passes the call once to the leader it knows (from its own replica,
 * else from its meta records). Each change is checked against the leader's current view first
 * ({@link #validate}), so a change that would cost the range its quorum is refused with a
 * message naming the range, the step and why.
 */
final class ReplicaOps {
  private final long self;
  private final StoreRuntime runtime;
  private final AddressBook book;
  private final PeerClients peers;
  private final Duration timeout;
  private final Supplier<List<RangeMetaPb>> metaRecords;
  private final LongSupplier liveWindowNanos;

  private final Function<RangeDescriptor, byte[]> middleKey;
  private final Executor reader;

  /**
   * @param middleKey the key dividing a range's bytes in this store in half ({@link
   *     StoreStatus#middleKey})
   * @param reader where {@code middleKey} runs: it reads the store, which the raft thread (that
   *     completes the runtime's futures) must not wait for
   */
  ReplicaOps(long self, StoreRuntime runtime, AddressBook book, PeerClients peers,
      Duration timeout, Supplier<List<RangeMetaPb>> metaRecords, LongSupplier liveWindowNanos,
      Function<RangeDescriptor, byte[]> middleKey, Executor reader) {
    this.middleKey = middleKey;
    this.reader = reader;
    this.self = self;
    this.runtime = runtime;
    this.book = book;
    this.peers = peers;
    this.timeout = timeout;
    this.metaRecords = metaRecords;
    this.liveWindowNanos = liveWindowNanos;
  }

  /**
   * The membership change {@code op} on {@code store} stands for, if the range (as its leader
   * sees it) may make it with {@code live} nodes up.
   *
   * @throws IllegalArgumentException naming the range, the step and why not
   */
  static ConfChange validate(RangeInfo leaderView, ChangeReplicasRequest.Op op, long store,
      Set<Long> live) {
    long id = leaderView.descriptor().rangeId();
    ConfState m = leaderView.descriptor().members();
    String step = "range " + id + ": " + describe(op, store) + ": ";
    if (m.isJoint()) {
      throw new IllegalArgumentException(step + "the range is in a joint configuration; retry"
          + " once it is left");
    }
    switch (op) {
      case ADD_LEARNER -> {
        if (m.voters().contains(store) || m.learners().contains(store)) {
          throw new IllegalArgumentException(step + "store " + store + " is a "
              + (m.voters().contains(store) ? "voter" : "learner") + " already");
        }
        if (!live.contains(store)) {
          throw new IllegalArgumentException(step + "store " + store + " is not live");
        }
        return ConfChange.addLearner(store);
      }
      case PROMOTE -> {
        if (!m.learners().contains(store)) {
          throw new IllegalArgumentException(step + "store " + store + " is not a learner");
        }
        return ConfChange.addVoter(store);
      }
      case REMOVE_VOTER -> {
        if (!m.voters().contains(store)) {
          throw new IllegalArgumentException(step + "store " + store + " is not a voter");
        }
        if (m.voters().size() == 1) {
          throw new IllegalArgumentException(step + "store " + store + " is the last voter");
        }
        int quorum = m.voters().size() / 2 + 1;
        long liveLeft = m.voters().stream().filter(v -> v != store && live.contains(v)).count();
        if (liveLeft < quorum) {
          throw new IllegalArgumentException(step + "it would leave " + liveLeft + " live of the"
              + " " + m.voters().size() + " voters " + m.voters() + ", fewer than their quorum of "
              + quorum + " (live: " + live + ")");
        }
        return ConfChange.remove(store);
      }
      case REMOVE_LEARNER -> {
        if (!m.learners().contains(store)) {
          throw new IllegalArgumentException(step + "store " + store + " is not a learner");
        }
        return ConfChange.remove(store);
      }
      default -> throw new IllegalArgumentException(step + "no operation given");
    }
  }

  static String describe(ChangeReplicasRequest.Op op, long store) {
    return switch (op) {
      case ADD_LEARNER -> "add learner " + store;
      case PROMOTE -> "promote " + store;
      case REMOVE_VOTER -> "remove voter " + store;
      case REMOVE_LEARNER -> "remove learner " + store;
      default -> op + " " + store;
    };
  }

  CompletableFuture<ChangeReplicasResponse> changeReplicas(ChangeReplicasRequest req) {
    long id = req.getRangeId();
    return runtime.rangeInfo(id).thenCompose(info -> {
      if (info.isPresent() && info.get().leader() == self) {
        ConfChange change;
        try {
          change = validate(info.get(), req.getOp(), req.getStore(), live());
        } catch (IllegalArgumentException e) {
          return done(ChangeReplicasResponse.newBuilder()
              .setError(Membership.error(KvError.Code.INVALID, e.getMessage())).build());
        }
        long expected = req.hasExpectedMembersIndex() ? req.getExpectedMembersIndex() : -1;
        return runtime.changeMembers(id, expected, change)
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .thenCompose(applied -> runtime.rangeInfo(id))
            .thenApply(after -> {
              ChangeReplicasResponse.Builder b = ChangeReplicasResponse.newBuilder();
              after.ifPresent(a -> b.setRange(a.descriptor().toProto()));
              return b.build();
            })
            .exceptionally(e -> ChangeReplicasResponse.newBuilder().setError(error(
                "range " + id + ": " + describe(req.getOp(), req.getStore()), e)).build());
      }
      if (req.getForwarded()) {
        return done(ChangeReplicasResponse.newBuilder().setError(notLeader(id, info)).build());
      }
      return findLeader(id, info).thenCompose(to -> to.isEmpty()
          ? done(ChangeReplicasResponse.newBuilder().setError(notLeader(id, info)).build())
          : PeerClients.<ChangeReplicasResponse>call(o -> peers.admin(to.get(), timeout)
              .changeReplicas(req.toBuilder().setForwarded(true).build(), o)));
    });
  }

  /**
   * Splits range {@code req.range_id} at the key that divides its bytes in half, as its
   * leader's store estimates them; answers with the key chosen. Refused ({@code INVALID}) for the
   * system range, a range with fewer than two keys, and one not at the expected generation.
   */
  CompletableFuture<AdminSplitResponse> splitBySize(AdminSplitRequest req) {
    long id = req.getRangeId();
    return runtime.rangeInfo(id).thenComposeAsync(info -> {
      if (info.isPresent() && info.get().leader() == self) {
        RangeDescriptor d = info.get().descriptor();
        String step = "range " + id + ": split by size: ";
        byte[] key;
        try {
          if (id == Keyspace.SYSTEM_RANGE_ID) {
            throw new IllegalArgumentException("the system range is not split");
          }
          if (req.hasExpectedGeneration() && req.getExpectedGeneration() != d.generation()) {
            throw new IllegalArgumentException("the range is at generation " + d.generation()
                + ", not " + req.getExpectedGeneration() + " (split or merged meanwhile)");
          }
          key = middleKey.apply(d);
          if (!Keyspace.isUserKey(key)) {
            throw new IllegalArgumentException("its middle " + Keyspace.show(key)
                + " is not a user key");
          }
        } catch (IllegalArgumentException | SplitKeyFinder.TooFewKeys e) {
          return done(AdminSplitResponse.newBuilder().setError(Membership.error(
              KvError.Code.INVALID, step + e.getMessage())).build());
        }
        return runtime.split(id, key, req.getStickyUntilMillis())
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .thenApply(r -> r.error() == null
                ? AdminSplitResponse.newBuilder().setRange(d.toProto())
                    .setSplitKey(ByteString.copyFrom(Keyspace.toUser(key))).build()
                : AdminSplitResponse.newBuilder().setError(Membership.error(
                    KvError.Code.KEY_OUTSIDE_RANGE, step + r.error().getMessage())).build())
            .exceptionally(e -> AdminSplitResponse.newBuilder().setError(error(
                step + "at " + Keyspace.show(key), e)).build());
      }
      if (req.getForwarded()) {
        return done(AdminSplitResponse.newBuilder().setError(notLeader(id, info)).build());
      }
      return findLeader(id, info).thenCompose(to -> to.isEmpty()
          ? done(AdminSplitResponse.newBuilder().setError(notLeader(id, info)).build())
          : PeerClients.<AdminSplitResponse>call(o -> peers.admin(to.get(), timeout)
              .split(req.toBuilder().setForwarded(true).build(), o)));
    }, reader);
  }

  CompletableFuture<TransferLeaderResponse> transferLeader(TransferLeaderRequest req) {
    long id = req.getRangeId();
    return runtime.rangeInfo(id).thenCompose(info -> {
      if (info.isPresent() && info.get().leader() == self) {
        if (!info.get().descriptor().members().voters().contains(req.getToStore())) {
          return done(TransferLeaderResponse.newBuilder().setError(Membership.error(
              KvError.Code.INVALID, "range " + id + ": transfer leader to " + req.getToStore()
                  + ": store " + req.getToStore() + " is not a voter")).build());
        }
        return runtime.transferLeader(id, req.getToStore())
            .thenApply(v -> TransferLeaderResponse.getDefaultInstance())
            .exceptionally(e -> TransferLeaderResponse.newBuilder().setError(error(
                "range " + id + ": transfer leader to " + req.getToStore(), e)).build());
      }
      if (req.getForwarded()) {
        return done(TransferLeaderResponse.newBuilder().setError(notLeader(id, info)).build());
      }
      return findLeader(id, info).thenCompose(to -> to.isEmpty()
          ? done(TransferLeaderResponse.newBuilder().setError(notLeader(id, info)).build())
          : PeerClients.<TransferLeaderResponse>call(o -> peers.admin(to.get(), timeout)
              .transferLeader(req.toBuilder().setForwarded(true).build(), o)));
    });
  }

  /**
   * Abandons a freeze of a merge's right range through the left range's log ({@link
   * MergeAbandoner}), on the left range's leader.
   */
  CompletableFuture<AbandonMergeResponse> abandonMerge(AbandonMergeRequest req) {
    long id = req.getLeftRangeId();
    return runtime.rangeInfo(id).thenCompose(info -> {
      if (info.isPresent() && info.get().leader() == self) {
        MergeFreeze freeze = new MergeFreeze(req.getFreezeIndex(), id, req.getLeftGeneration());
        return runtime.abandonMerge(freeze, RangeDescriptor.fromProto(req.getRight()))
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .thenApply(outcome -> AbandonMergeResponse.newBuilder()
                .setAlreadyMerged(outcome == MergeAbandonment.ALREADY_MERGED).build())
            .exceptionally(e -> AbandonMergeResponse.newBuilder().setError(error("range " + id
                + ": abandon the freeze of range " + req.getRight().getRangeId() + " at "
                + req.getFreezeIndex(), e)).build());
      }
      if (req.getForwarded()) {
        return done(AbandonMergeResponse.newBuilder().setError(notLeader(id, info)).build());
      }
      return findLeader(id, info).thenCompose(to -> to.isEmpty()
          ? done(AbandonMergeResponse.newBuilder().setError(notLeader(id, info)).build())
          : PeerClients.<AbandonMergeResponse>call(o -> peers.admin(to.get(), timeout)
              .abandonMerge(req.toBuilder().setForwarded(true).build(), o)));
    });
  }

  CompletableFuture<GetRangeResponse> getRange(GetRangeRequest req) {
    long id = req.getRangeId();
    return runtime.rangeInfo(id).thenCompose(info -> {
      if (info.isPresent() && info.get().leader() == self) {
        RangeInfo ri = info.get();
        return done(GetRangeResponse.newBuilder().setRange(status(ri)).setFromLeader(true)
            .setCommit(ri.commit()).putAllMatch(ri.match()).build());
      }
      if (req.getForwarded()) {
        return done(local(id, info));
      }
      return findLeader(id, info).thenCompose(to -> to.isEmpty() ? done(local(id, info))
          : PeerClients.<GetRangeResponse>call(o -> peers.admin(to.get(), timeout)
                  .getRange(req.toBuilder().setForwarded(true).build(), o))
              .exceptionally(e -> local(id, info)));
    });
  }

  /** This node's own view: its replica's descriptor or its meta record, whichever is newer. */
  private GetRangeResponse local(long id, Optional<RangeInfo> info) {
    RangeDescriptor best = info.map(RangeInfo::descriptor).orElse(null);
    long leader = info.map(RangeInfo::leader).orElse(0L);
    for (RangeMetaPb r : metaRecords.get()) {
      if (r.getRange().getRangeId() == id) {
        RangeDescriptor d = RangeDescriptor.fromProto(r.getRange());
        if (best == null || d.generation() > best.generation()
            || d.membersIndex() > best.membersIndex()) {
          best = d;
          leader = leader == 0 ? r.getLeader() : leader;
        }
      }
    }
    if (best == null) {
      return GetRangeResponse.newBuilder().setError(Membership.error(
          KvError.Code.RANGE_NOT_FOUND, "node " + self + " knows nothing of range " + id))
          .build();
    }
    // This node's replica's own progress (applied index, freeze) where it holds one.
    RangeStatusPb.Builder b = info.map(ri -> status(ri).toBuilder())
        .orElse(RangeStatusPb.newBuilder());
    return GetRangeResponse.newBuilder().setRange(b.setRange(best.toProto()).setLeader(leader))
        .build();
  }

  private static RangeStatusPb status(RangeInfo ri) {
    return RangeStatusPb.newBuilder().setRange(ri.descriptor().toProto()).setLeader(ri.leader())
        .setTerm(ri.term()).setApplied(ri.applied()).setQuiescent(ri.quiescent())
        .setFrozenAt(ri.frozenAt()).build();
  }

  /** The leader's address: as this node's replica knows it, else as its meta record says. */
  private Optional<String> leaderAddress(long id, Optional<RangeInfo> info) {
    long leader = info.map(RangeInfo::leader).orElse(0L);
    if (leader == 0) {
      for (RangeMetaPb r : metaRecords.get()) {
        if (r.getRange().getRangeId() == id) {
          leader = r.getLeader();
        }
      }
    }
    return leader == 0 || leader == self ? Optional.empty() : book.address(leader);
  }

  /**
   * The leader's address as this node knows it, else as the first other node that knows one
   * says (asked in turn, with {@code forwarded} set so that none passes the question on).
   */
  private CompletableFuture<Optional<String>> findLeader(long id, Optional<RangeInfo> info) {
    Optional<String> known = leaderAddress(id, info);
    if (known.isPresent()) {
      return done(known);
    }
    CompletableFuture<Optional<String>> found = done(Optional.empty());
    for (Map.Entry<Long, String> peer : book.snapshot().entrySet()) {
      if (peer.getKey() == self) {
        continue;
      }
      found = found.thenCompose(f -> f.isPresent() ? done(f)
          : PeerClients.<GetRangeResponse>call(o -> peers.admin(peer.getValue(), timeout)
                  .getRange(GetRangeRequest.newBuilder().setRangeId(id).setForwarded(true)
                      .build(), o))
              .thenApply(r -> {
                long leader = r.hasRange() ? r.getRange().getLeader() : 0;
                return r.getFromLeader() ? Optional.of(peer.getValue())
                    : leader == 0 || leader == self ? Optional.<String>empty()
                        : book.address(leader);
              })
              .exceptionally(e -> Optional.empty()));
    }
    return found;
  }

  private KvError notLeader(long id, Optional<RangeInfo> info) {
    long hint = info.map(RangeInfo::leader).orElse(0L);
    return KvError.newBuilder().setCode(info.isPresent() ? KvError.Code.NOT_LEADER
            : KvError.Code.RANGE_NOT_FOUND).setLeaderHint(hint)
        .setMessage("range " + id + ": node " + self + (info.isPresent()
            ? " does not lead it and cannot reach its leader (" + hint + "); retry"
            : " holds no replica of it and knows no leader")).build();
  }

  private static KvError error(String step, Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException)) {
      t = t.getCause();
    }
    KvError.Code code = switch (t) {
      case RangeException.NotLeader n -> KvError.Code.NOT_LEADER;
      case RangeException.RangeNotFound n -> KvError.Code.RANGE_NOT_FOUND;
      case RangeException.ProposalDropped n -> KvError.Code.PROPOSAL_DROPPED;
      case IllegalStateException n -> KvError.Code.INVALID; // the members changed meanwhile
      default -> KvError.Code.UNAVAILABLE;
    };
    return Membership.error(code, step + ": " + Membership.cause(t));
  }

  Set<Long> live() {
    return book.live(liveWindowNanos.getAsLong());
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
