package io.flotilla.multiraft.node;

import io.flotilla.multiraft.proto.ChangeReplicasRequest;
import io.flotilla.multiraft.proto.ChangeReplicasResponse;
import io.flotilla.multiraft.proto.GetRangeRequest;
import io.flotilla.multiraft.proto.GetRangeResponse;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.MoveReplicaRequest;
import io.flotilla.multiraft.proto.MoveReplicaResponse;
import io.flotilla.multiraft.proto.TransferLeaderRequest;
import io.flotilla.multiraft.proto.TransferLeaderResponse;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.raft.ConfState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Moves one replica, as a client of the primitive steps ({@link ReplicaOps}, each run by the
 * range's leader wherever it is): add the target as a learner; wait until its match index
 * reaches the leader's commit index; promote it (the range briefly has one voter more); if the
 * source leads, hand leadership to another voter; remove the source. Each step starts from the
 * leader's current view, so a move interrupted anywhere is resumed by asking again; errors that
 * retrying may cure (no leader, a dropped proposal) are retried until the deadline, a refused
 * step ends the move with its reason. The source drops its data once it learns it was removed
 * (it applies the removal, or its replica GC asks). One blocking thread (virtual) per move.
 */
final class ReplicaMover {
  /** A move that cannot go on, with the step and why. */
  static final class MoveFailed extends Exception {
    final KvError.Code code;

    MoveFailed(KvError.Code code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  private final ReplicaOps ops;
  private final long pollMillis;
  private final Consumer<String> log;

  ReplicaMover(ReplicaOps ops, long pollMillis, Consumer<String> log) {
    this.ops = ops;
    this.pollMillis = pollMillis;
    this.log = log;
  }

  /** Runs the move on a thread of its own; the answer carries the steps taken. */
  CompletableFuture<MoveReplicaResponse> move(MoveReplicaRequest req) {
    CompletableFuture<MoveReplicaResponse> f = new CompletableFuture<>();
    Thread.ofVirtual().name("move-r" + req.getRangeId()).start(() -> {
      List<String> steps = new ArrayList<>();
      MoveReplicaResponse.Builder b = MoveReplicaResponse.newBuilder();
      try {
        RangeDescriptor d = run(req, steps);
        b.setRange(d.toProto());
      } catch (MoveFailed e) {
        b.setError(Membership.error(e.code, e.getMessage()));
      } catch (InterruptedException e) {
        b.setError(Membership.error(KvError.Code.UNAVAILABLE, "range " + req.getRangeId()
            + ": move interrupted"));
      } catch (RuntimeException e) {
        b.setError(Membership.error(KvError.Code.UNAVAILABLE, "range " + req.getRangeId()
            + ": move failed: " + e));
      }
      f.complete(b.addAllSteps(steps).build());
    });
    return f;
  }

  private RangeDescriptor run(MoveReplicaRequest req, List<String> steps)
      throws MoveFailed, InterruptedException {
    long id = req.getRangeId();
    long from = req.getFromStore();
    long to = req.getToStore();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
        req.getTimeoutMillis() == 0 ? 60_000 : req.getTimeoutMillis());
    String what = "range " + id + ": move " + from + " -> " + to + ": ";
    if (from == to) {
      throw new MoveFailed(KvError.Code.INVALID, what + "source and target are the same store");
    }
    GetRangeResponse r = leaderView(id, deadline, what + "read the range");
    ConfState m = members(r);
    if (!m.voters().contains(from) && !m.votersOutgoing().contains(from)) {
      if (m.voters().contains(to)) {
        steps.add("nothing to do: " + to + " is a voter and " + from + " is not");
        return RangeDescriptor.fromProto(r.getRange().getRange());
      }
      throw new MoveFailed(KvError.Code.INVALID, what + "store " + from + " is not a voter");
    }
    if (!m.voters().contains(to) && !m.learners().contains(to)) {
      r = change(id, r, ChangeReplicasRequest.Op.ADD_LEARNER, to, deadline, steps);
    }
    while (true) {
      r = leaderView(id, deadline, what + "wait for " + to + " to catch up");
      long match = r.getMatchOrDefault(to, 0);
      if (members(r).voters().contains(to) || match >= r.getCommit()) {
        steps.add("store " + to + " caught up (match " + match + ", commit " + r.getCommit()
            + ")");
        break;
      }
      pause(deadline, what + "store " + to + " still catching up (match " + match + " of "
          + r.getCommit() + ")");
    }
    if (members(r).learners().contains(to)) {
      r = change(id, r, ChangeReplicasRequest.Op.PROMOTE, to, deadline, steps);
    }
    r = moveLeadershipAway(id, from, deadline, steps, what);
    if (members(r).voters().contains(from)) {
      r = change(id, r, ChangeReplicasRequest.Op.REMOVE_VOTER, from, deadline, steps);
    }
    log.accept(what + "done: " + String.join("; ", steps));
    return RangeDescriptor.fromProto(r.getRange().getRange());
  }

  /** Hands leadership from {@code from} to the most caught-up other voter, if it leads. */
  private GetRangeResponse moveLeadershipAway(long id, long from, long deadline,
      List<String> steps, String what) throws MoveFailed, InterruptedException {
    while (true) {
      GetRangeResponse r = leaderView(id, deadline, what + "find the leader");
      if (r.getRange().getLeader() != from) {
        return r;
      }
      long target = 0;
      long best = -1;
      for (long v : members(r).voters()) {
        long match = r.getMatchOrDefault(v, 0);
        if (v != from && match > best) {
          target = v;
          best = match;
        }
      }
      TransferLeaderResponse t = get(ops.transferLeader(TransferLeaderRequest.newBuilder()
          .setRangeId(id).setToStore(target).build()), deadline, what + "transfer leader");
      if (t != null && t.hasError() && t.getError().getCode() == KvError.Code.INVALID) {
        throw new MoveFailed(KvError.Code.INVALID, t.getError().getMessage());
      }
      // A transfer is best effort (abandoned after an election timeout): wait, then ask again.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < until) {
        pause(deadline, what + "transfer leadership from " + from + " to " + target);
        GetRangeResponse now = leaderView(id, deadline, what + "find the leader");
        if (now.getRange().getLeader() != from) {
          steps.add("leadership moved from " + from + " to " + now.getRange().getLeader());
          return now;
        }
      }
    }
  }

  /** Runs one primitive step against the leader, retrying what a retry may cure. */
  private GetRangeResponse change(long id, GetRangeResponse view, ChangeReplicasRequest.Op op,
      long store, long deadline, List<String> steps) throws MoveFailed, InterruptedException {
    String step = "range " + id + ": " + ReplicaOps.describe(op, store);
    while (true) {
      ChangeReplicasResponse c = get(ops.changeReplicas(ChangeReplicasRequest.newBuilder()
          .setRangeId(id).setOp(op).setStore(store)
          .setExpectedMembersIndex(view.getRange().getRange().getMembersIndex()).build()),
          deadline, step);
      if (c == null) {
        pause(deadline, step + ": the node asked did not answer");
        continue;
      }
      if (!c.hasError() || c.getError().getCode() == KvError.Code.NONE) {
        steps.add(ReplicaOps.describe(op, store));
        return leaderView(id, deadline, step);
      }
      if (c.getError().getCode() == KvError.Code.INVALID) {
        throw new MoveFailed(KvError.Code.INVALID, c.getError().getMessage());
      }
      pause(deadline, c.getError().getMessage());
      view = leaderView(id, deadline, step);
    }
  }

  /** The range as its leader sees it, waiting (until the deadline) for one to be known. */
  private GetRangeResponse leaderView(long id, long deadline, String step)
      throws MoveFailed, InterruptedException {
    while (true) {
      GetRangeResponse r = get(ops.getRange(GetRangeRequest.newBuilder().setRangeId(id)
          .build()), deadline, step);
      if (r != null && r.getFromLeader()) {
        return r;
      }
      pause(deadline, step + ": " + (r == null ? "the node asked did not answer"
          : r.hasError() ? r.getError().getMessage() : "no leader known"));
    }
  }

  private static ConfState members(GetRangeResponse r) {
    return RangeDescriptor.fromProto(r.getRange().getRange()).members();
  }

  /** The answer, or null if the call failed (the caller retries). */
  private <T> T get(CompletableFuture<T> f, long deadline, String step)
      throws MoveFailed, InterruptedException {
    long left = deadline - System.nanoTime();
    try {
      return f.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new MoveFailed(KvError.Code.UNAVAILABLE, step + ": timed out");
    } catch (ExecutionException e) {
      return null; // the node asked is unreachable: the caller asks again
    }
  }

  private void pause(long deadline, String waitingFor) throws MoveFailed, InterruptedException {
    if (System.nanoTime() > deadline) {
      throw new MoveFailed(KvError.Code.UNAVAILABLE, waitingFor + ": timed out");
    }
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pollMillis));
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }
}
