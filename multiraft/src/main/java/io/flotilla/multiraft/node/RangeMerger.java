package io.flotilla.multiraft.node;

import io.flotilla.multiraft.proto.AdminMergeRequest;
import io.flotilla.multiraft.proto.AdminMergeResponse;
import io.flotilla.multiraft.proto.GetRangeRequest;
import io.flotilla.multiraft.proto.GetRangeResponse;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.TransferLeaderRequest;
import io.flotilla.multiraft.runtime.ApplyResult;
import io.flotilla.multiraft.runtime.MergeAbandonment;
import io.flotilla.multiraft.runtime.MergeFreeze;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.StoreRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs a merge ({@code io.flotilla.multiraft.runtime.Merges}) on the left range's leader: the
 * coordinator. Both ranges must be adjacent with the same voters and no learners, and the left
 * range must not be frozen itself (it could then take neither the commit nor an abandon).
 *
 * <ol>
 *   <li>The right range's leadership moves to this node (a transfer, waited for), so that both
 *       steps through Raft are proposed here and the freeze's progress is this node's own view.
 *   <li>Freeze the right range (its leader here proposes it; a range already frozen for this
 *       left range answers that freeze: a merge asked again resumes it).
 *   <li>Wait until every voter of the right range reports (its own replica, {@code GetRange}
 *       not forwarded) that it applied the freeze.
 *   <li>Commit through the left range's log, at the left generation the freeze names (a freeze
 *       of an earlier attempt, planned at an older generation, cannot be committed any more).
 * </ol>
 *
 * <p>Any failure once the right range is frozen (the commit refused, a voter that never applies
 * the freeze, the deadline, the left range's leadership lost) abandons the freeze ({@link
 * MergeAbandoner}, with its own time beyond the deadline): the left range's log orders the
 * abandon after any commit of the freeze, so it either finds the merge done (reported as
 * success) or makes every commit of the freeze impossible, and only then is the right range
 * thawed, naming its freeze. If the abandon cannot be done (the left range has no quorum) or
 * this node no longer leads the right range, the right range stays frozen and the failure says
 * so; the {@link MergeWatchdog} of the right range's leader tries again later, as it does for a
 * coordinator that stopped. One blocking virtual thread per merge.
 */
final class RangeMerger {
  /** A merge that cannot go on, with the step and why. */
  static final class MergeFailed extends Exception {
    final KvError.Code code;

    MergeFailed(KvError.Code code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  private final long self;
  private final StoreRuntime runtime;
  private final ReplicaOps ops;
  private final AddressBook book;
  private final PeerClients peers;
  private final Duration timeout;
  private final long pollMillis;
  private final Consumer<String> log;
  private final MergeAbandoner abandoner;

  RangeMerger(long self, StoreRuntime runtime, ReplicaOps ops, AddressBook book,
      PeerClients peers, Duration timeout, long pollMillis, Consumer<String> log,
      MergeAbandoner abandoner) {
    this.abandoner = abandoner;
    this.self = self;
    this.runtime = runtime;
    this.ops = ops;
    this.book = book;
    this.peers = peers;
    this.timeout = timeout;
    this.pollMillis = pollMillis;
    this.log = log;
  }

  /** Right ranges with a merge running here: one coordinator per merge on this node. */
  private final java.util.Set<Long> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Whether this node runs a merge of the right range {@code rightId} now. */
  boolean merging(long rightId) {
    return running.contains(rightId);
  }

  MergeAbandoner abandoner() {
    return abandoner;
  }

  /** Runs the merge here if this node leads the left range, else passes it on once. */
  CompletableFuture<AdminMergeResponse> merge(AdminMergeRequest req) {
    return runtime.rangeInfo(req.getLeftRangeId()).thenCompose(info -> {
      if (info.isPresent() && info.get().leader() == self) {
        return runHere(req);
      }
      if (req.getForwarded()) {
        return CompletableFuture.completedFuture(failed(KvError.Code.NOT_LEADER, "range "
            + req.getLeftRangeId() + ": node " + self + " does not lead it; retry", List.of()));
      }
      return ops.getRange(GetRangeRequest.newBuilder().setRangeId(req.getLeftRangeId())
          .build()).thenCompose(r -> {
            long leader = r.hasRange() ? r.getRange().getLeader() : 0;
            Optional<String> to = leader == 0 ? Optional.empty() : book.address(leader);
            if (to.isEmpty()) {
              return CompletableFuture.completedFuture(failed(KvError.Code.NOT_LEADER, "range "
                  + req.getLeftRangeId() + ": no leader known; retry", List.of()));
            }
            Duration callTimeout = Duration.ofMillis(millis(req) + timeout.toMillis())
                .plus(abandoner.budget());
            return PeerClients.<AdminMergeResponse>call(o -> peers.admin(to.get(), callTimeout)
                .merge(req.toBuilder().setForwarded(true).build(), o));
          });
    });
  }

  private static long millis(AdminMergeRequest req) {
    return req.getTimeoutMillis() == 0 ? 60_000 : req.getTimeoutMillis();
  }

  private CompletableFuture<AdminMergeResponse> runHere(AdminMergeRequest req) {
    CompletableFuture<AdminMergeResponse> f = new CompletableFuture<>();
    if (!running.add(req.getRightRangeId())) {
      f.complete(failed(KvError.Code.UNAVAILABLE, "merge of range " + req.getRightRangeId()
          + " into range " + req.getLeftRangeId() + ": already running on node " + self
          + "; ask again later", List.of()));
      return f;
    }
    f.whenComplete((r, e) -> running.remove(req.getRightRangeId()));
    Thread.ofVirtual().name("merge-r" + req.getRightRangeId()).start(() -> {
      List<String> steps = new ArrayList<>();
      String what = "merge of range " + req.getRightRangeId() + " into range "
          + req.getLeftRangeId() + ": ";
      try {
        RangeDescriptor d = run(req, steps, what);
        log.accept(what + "done: " + String.join("; ", steps));
        f.complete(AdminMergeResponse.newBuilder().addAllSteps(steps).setRange(d.toProto())
            .build());
      } catch (MergeFailed e) {
        log.accept(what + "failed: " + e.getMessage() + " (steps: " + String.join("; ", steps)
            + ")");
        f.complete(failed(e.code, e.getMessage(), steps));
      } catch (InterruptedException e) {
        f.complete(failed(KvError.Code.UNAVAILABLE, what + "interrupted", steps));
      } catch (RuntimeException e) {
        f.complete(failed(KvError.Code.UNAVAILABLE, what + Membership.cause(e), steps));
      }
    });
    return f;
  }

  private static AdminMergeResponse failed(KvError.Code code, String message,
      List<String> steps) {
    return AdminMergeResponse.newBuilder().setError(Membership.error(code, message))
        .addAllSteps(steps).build();
  }

  private RangeDescriptor run(AdminMergeRequest req, List<String> steps, String what)
      throws MergeFailed, InterruptedException {
    long leftId = req.getLeftRangeId();
    long rightId = req.getRightRangeId();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis(req));
    if (leftId == rightId) {
      throw new MergeFailed(KvError.Code.INVALID, what + "a range cannot merge with itself");
    }
    RangeInfo left = localLeader(leftId, deadline, what);
    GetRangeResponse right = rightView(rightId, deadline, what);
    RangeDescriptor l = left.descriptor();
    RangeDescriptor r = RangeDescriptor.fromProto(right.getRange().getRange());
    check(req, l, r);
    if (left.frozenAt() > 0) {
      throw new MergeFailed(KvError.Code.UNAVAILABLE, what + "range " + leftId + " is frozen"
          + " for a merge itself; retry");
    }
    if (right.getRange().getLeader() != self) {
      moveRightLeadershipHere(rightId, deadline, steps, what);
    }
    MergeFreeze freeze = get(runtime.prepareMerge(rightId, r.generation(), leftId,
        l.generation()), deadline, what + "freeze range " + rightId);
    steps.add((right.getRange().getFrozenAt() == freeze.index() ? "found range " + rightId
        + " frozen" : "froze range " + rightId) + " at index " + freeze.index());
    try {
      return commit(req, freeze, l, r, deadline, steps, what);
    } catch (MergeFailed failed) {
      // r may have been read before the freeze applied, but its start key is the range's for
      // life and its generation at most the freeze's: all that the abandon reads of it.
      return abandon(failed, freeze, r, steps);
    }
  }

  /** Steps 3 and 4, once the right range {@code r} is frozen by {@code freeze}. */
  private RangeDescriptor commit(AdminMergeRequest req, MergeFreeze freeze, RangeDescriptor l,
      RangeDescriptor r, long deadline, List<String> steps, String what)
      throws MergeFailed, InterruptedException {
    long leftId = l.rangeId();
    if (freeze.leftGeneration() != l.generation()) {
      throw new MergeFailed(KvError.Code.INVALID, what + "range " + r.rangeId() + " was frozen"
          + " by an earlier attempt for range " + leftId + " at generation "
          + freeze.leftGeneration() + ", which is at " + l.generation() + " now");
    }
    // The right range as of its freeze: nothing changes it after.
    RangeDescriptor frozen = awaitFrozenEverywhere(r.rangeId(), freeze.index(), deadline,
        steps, what);
    check(req, l, frozen);
    ApplyResult result = get(runtime.commitMerge(freeze, frozen), deadline,
        what + "commit on range " + leftId);
    if (result.error() != null) {
      // Refused alike by every replica of the left range.
      throw new MergeFailed(KvError.Code.INVALID, what + result.error().getMessage());
    }
    steps.add("range " + leftId + " took the span of range " + r.rangeId());
    return runtime.rangeInfo(leftId).join().map(RangeInfo::descriptor).orElse(l);
  }

  /**
   * After {@code failed}, a failure once the right range {@code r} was frozen: abandons the
   * freeze and thaws the range. Returns the left range's descriptor if the merge turns out done;
   * otherwise throws {@code failed}, saying whether the right range was thawed.
   */
  private RangeDescriptor abandon(MergeFailed failed, MergeFreeze freeze, RangeDescriptor r,
      List<String> steps) throws MergeFailed, InterruptedException {
    MergeAbandonment outcome;
    try {
      outcome = abandoner.abandonAndThaw(freeze, r, failed.getMessage(), steps);
    } catch (MergeFailed stuck) {
      throw new MergeFailed(failed.code, failed.getMessage() + "; " + stuck.getMessage());
    }
    if (outcome == MergeAbandonment.ABANDONED) {
      throw new MergeFailed(failed.code, failed.getMessage() + "; range " + r.rangeId()
          + " thawed: the merge was abandoned");
    }
    long leftId = freeze.leftRangeId();
    return runtime.rangeInfo(leftId).join().map(RangeInfo::descriptor).orElseThrow(() ->
        new MergeFailed(KvError.Code.NOT_LEADER, "range " + leftId + " took the span of range "
            + r.rangeId() + ", but its replica here is gone; read it again"));
  }

  /**
   * Refuses a merge of ranges that are not adjacent, do not have the same voters, have
   * learners, or are not at the generations the caller planned at (0: any).
   */
  static void check(AdminMergeRequest req, RangeDescriptor l, RangeDescriptor r)
      throws MergeFailed {
    String what = "merge of range " + r.rangeId() + " into range " + l.rangeId() + ": ";
    if (req.getLeftGeneration() != 0 && l.generation() != req.getLeftGeneration()) {
      throw new MergeFailed(KvError.Code.INVALID, what + "range " + l.rangeId() + " is at"
          + " generation " + l.generation() + ", not " + req.getLeftGeneration());
    }
    if (req.getRightGeneration() != 0 && r.generation() != req.getRightGeneration()) {
      throw new MergeFailed(KvError.Code.INVALID, what + "range " + r.rangeId() + " is at"
          + " generation " + r.generation() + ", not " + req.getRightGeneration());
    }
    if (l.endKey().length == 0 || !Arrays.equals(l.endKey(), r.startKey())) {
      throw new MergeFailed(KvError.Code.INVALID, "range " + l.rangeId() + " and "
          + r.rangeId() + " are not adjacent (" + l + ", " + r + ")");
    }
    if (!l.members().voters().equals(r.members().voters())) {
      throw new MergeFailed(KvError.Code.INVALID, what + "voters differ: "
          + l.members().voters() + " vs " + r.members().voters());
    }
    if (l.members().isJoint() || r.members().isJoint() || !l.members().learners().isEmpty()
        || !r.members().learners().isEmpty()) {
      throw new MergeFailed(KvError.Code.INVALID, what + "a range has learners or is in a"
          + " joint configuration");
    }
  }

  private RangeInfo localLeader(long id, long deadline, String what)
      throws MergeFailed, InterruptedException {
    Optional<RangeInfo> ri = get(runtime.rangeInfo(id), deadline, what + "read range " + id);
    if (ri.isEmpty() || ri.get().leader() != self) {
      throw new MergeFailed(KvError.Code.NOT_LEADER, what + "node " + self
          + " no longer leads range " + id + "; retry");
    }
    return ri.get();
  }

  /** The right range as its leader sees it. */
  private GetRangeResponse rightView(long id, long deadline, String what)
      throws MergeFailed, InterruptedException {
    while (true) {
      GetRangeResponse r = getOrNull(ops.getRange(GetRangeRequest.newBuilder().setRangeId(id)
          .build()), deadline, what + "read range " + id);
      if (r != null && r.hasError() && r.getError().getCode() == KvError.Code.RANGE_NOT_FOUND) {
        throw new MergeFailed(KvError.Code.INVALID, what + r.getError().getMessage());
      }
      if (r != null && r.getFromLeader()) {
        return r;
      }
      pause(deadline, what + "find the leader of range " + id);
    }
  }

  private void moveRightLeadershipHere(long id, long deadline, List<String> steps, String what)
      throws MergeFailed, InterruptedException {
    while (true) {
      Optional<RangeInfo> ri = get(runtime.rangeInfo(id), deadline, what + "read range " + id);
      if (ri.isPresent() && ri.get().leader() == self) {
        steps.add("moved the leadership of range " + id + " to node " + self);
        return;
      }
      getOrNull(ops.transferLeader(TransferLeaderRequest.newBuilder().setRangeId(id)
          .setToStore(self).build()), deadline, what + "transfer leader");
      // A transfer is best effort: wait a little, then look and ask again.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < until) {
        pause(deadline, what + "move the leadership of range " + id + " to node " + self);
        ri = get(runtime.rangeInfo(id), deadline, what + "read range " + id);
        if (ri.isPresent() && ri.get().leader() == self) {
          break;
        }
      }
    }
  }

  /**
   * Waits until every voter of the right range applied its freeze at {@code index}; returns
   * the right range's descriptor as of the freeze.
   */
  private RangeDescriptor awaitFrozenEverywhere(long id, long index, long deadline,
      List<String> steps, String what) throws MergeFailed, InterruptedException {
    Optional<RangeInfo> mine = get(runtime.rangeInfo(id), deadline, what + "read range " + id);
    if (mine.isEmpty() || mine.get().frozenAt() != index) {
      throw new MergeFailed(KvError.Code.UNAVAILABLE, what + "range " + id + " is not frozen"
          + " here at " + index + "; retry");
    }
    RangeDescriptor r = mine.get().descriptor();
    for (long voter : r.members().voters()) {
      while (!appliedFreeze(voter, id, index, deadline, what)) {
        pause(deadline, what + "wait for node " + voter + " to apply the freeze of range " + id);
      }
    }
    steps.add("every voter " + r.members().voters() + " applied the freeze");
    return r;
  }

  private boolean appliedFreeze(long node, long id, long index, long deadline, String what)
      throws MergeFailed, InterruptedException {
    if (node == self) {
      Optional<RangeInfo> ri = get(runtime.rangeInfo(id), deadline, what + "read range " + id);
      return ri.isPresent() && ri.get().frozenAt() == index && ri.get().applied() >= index;
    }
    Optional<String> address = book.address(node);
    if (address.isEmpty()) {
      return false;
    }
    GetRangeResponse r = getOrNull(PeerClients.<GetRangeResponse>call(o -> peers.admin(
        address.get(), timeout).getRange(GetRangeRequest.newBuilder().setRangeId(id)
            .setForwarded(true).build(), o)), deadline, what + "ask node " + node);
    // Not forwarded: whether it leads or not, the node answers with its own replica's view.
    return r != null && r.hasRange() && r.getRange().getFrozenAt() == index
        && r.getRange().getApplied() >= index;
  }

  /** The value, or a failure naming the step (a refused operation fails the merge). */
  static <T> T get(CompletableFuture<T> f, long deadline, String step)
      throws MergeFailed, InterruptedException {
    long left = deadline - System.nanoTime();
    try {
      return f.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new MergeFailed(KvError.Code.UNAVAILABLE, step + ": timed out");
    } catch (ExecutionException e) {
      Throwable t = e.getCause();
      KvError.Code code = switch (t) {
        case io.flotilla.multiraft.runtime.RangeException.NotLeader n -> KvError.Code.NOT_LEADER;
        case IllegalStateException n -> KvError.Code.INVALID;
        case io.flotilla.multiraft.runtime.RangeException.ProposalDropped n ->
            KvError.Code.PROPOSAL_DROPPED;
        default -> KvError.Code.UNAVAILABLE;
      };
      throw new MergeFailed(code, step + ": " + Membership.cause(t));
    }
  }

  /** The answer, or null if the call failed (the caller asks again). */
  private static <T> T getOrNull(CompletableFuture<T> f, long deadline, String step)
      throws MergeFailed, InterruptedException {
    long left = deadline - System.nanoTime();
    try {
      return f.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new MergeFailed(KvError.Code.UNAVAILABLE, step + ": timed out");
    } catch (ExecutionException e) {
      return null;
    }
  }

  private void pause(long deadline, String waitingFor) throws MergeFailed, InterruptedException {
    if (System.nanoTime() > deadline) {
      throw new MergeFailed(KvError.Code.UNAVAILABLE, waitingFor + ": timed out");
    }
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pollMillis));
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }
}
