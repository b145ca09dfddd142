package io.flotilla.placement.driver;

import com.google.protobuf.ByteString;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.AdminMergeRequest;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.ChangeReplicasRequest;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.proto.TransferLeaderRequest;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.AddLearner;
import io.flotilla.placement.operator.MergeStep;
import io.flotilla.placement.operator.Promote;
import io.flotilla.placement.operator.RemoveVoter;
import io.flotilla.placement.operator.SplitAt;
import io.flotilla.placement.operator.Step;
import io.flotilla.placement.operator.TransferLeaderStep;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Carries an operator's step to the cluster: one admin call to the range's leader (any node
 * forwards it there), with the range's generation checked by the operator when it observes the
 * outcome. A step whose call fails is simply asked again later: steps are idempotent, and the
 * operator's own timeout ends one that never takes.
 */
final class StepExecutor {
  private final Function<Long, ManagedChannel> channelTo;
  private final Executor callbacks;
  private final Duration deadline;
  private final Runnable taken;
  private static final CompletableFuture<String> DONE = CompletableFuture.completedFuture(null);

  /**
   * @param channelTo a channel to a node, by node id (the driver's own node if unknown)
   * @param taken told when the cluster took a step, so that the driver looks again at once
   */
  StepExecutor(Function<Long, ManagedChannel> channelTo, Executor callbacks, Duration deadline,
      Runnable taken) {
    this.channelTo = channelTo;
    this.callbacks = callbacks;
    this.deadline = deadline;
    this.taken = taken;
  }

  /** Runs {@code step}; completes with null if the cluster took it, else with why not. */
  CompletableFuture<String> run(Step step, RangeStats range) {
    NodeAdminGrpc.NodeAdminFutureStub admin = NodeAdminGrpc.newFutureStub(
        channelTo.apply(range == null ? 0 : range.leaderStore()))
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    // The stores refuse a change already made ("store 4 is not a learner"): a step asked again
    // after its first call timed out, or half done, goes on from where the range is.
    return switch (step) {
      case AddLearner a -> range != null && range.hasReplicaOn(a.storeId()) ? DONE
          : change(admin, a.rangeId(), ChangeReplicasRequest.Op.ADD_LEARNER, a.storeId());
      case Promote p -> (range != null && range.voters().contains(p.storeId()) ? DONE
          : change(admin, p.rangeId(), ChangeReplicasRequest.Op.PROMOTE, p.storeId()))
          .thenCompose(error -> error != null || p.demoteStoreId() == 0
              || (range != null && !range.voters().contains(p.demoteStoreId()))
              ? CompletableFuture.completedFuture(error)
              // One voter more first, then one fewer: the quorum never shrinks on the way.
              : change(admin, p.rangeId(), ChangeReplicasRequest.Op.REMOVE_VOTER,
                  p.demoteStoreId()));
      case RemoveVoter r -> range != null && !range.hasReplicaOn(r.storeId()) ? DONE
          : change(admin, r.rangeId(), range != null
          && range.learners().contains(r.storeId()) ? ChangeReplicasRequest.Op.REMOVE_LEARNER
          : ChangeReplicasRequest.Op.REMOVE_VOTER, r.storeId());
      case TransferLeaderStep t -> outcome(admin.transferLeader(TransferLeaderRequest
          .newBuilder().setRangeId(t.rangeId()).setToStore(t.storeId()).build()),
          resp -> resp.getError());
      case SplitAt s -> split(admin, s);
      case MergeStep m -> outcome(NodeAdminGrpc.newFutureStub(channelTo.apply(
          range == null ? 0 : range.leaderStore()))
          // The merge waits for every replica of the right range: more than one call's time.
          .withDeadlineAfter(deadline.toMillis() * 4, TimeUnit.MILLISECONDS)
          .merge(AdminMergeRequest.newBuilder().setLeftRangeId(m.rangeId())
              .setLeftGeneration(m.generation()).setRightRangeId(m.rightRangeId())
              .setRightGeneration(m.rightGeneration()).setTimeoutMillis(deadline.toMillis() * 3)
              .build()), resp -> resp.getError());
    };
  }

  private CompletableFuture<String> split(NodeAdminGrpc.NodeAdminFutureStub admin, SplitAt s) {
    if (s.key() == null) {
      // The leader finds the middle of the range's bytes; at the planned generation only, since
      // a step asked again after its split took must not split the left half once more.
      return outcome(admin.split(AdminSplitRequest.newBuilder().setRangeId(s.rangeId())
          .setBySize(true).setExpectedGeneration(s.generation())
          .setStickyUntilMillis(s.stickyUntilMillis()).build()),
          resp -> resp.getError());
    }
    if (!Keyspace.isUserKey(s.key())) {
      return CompletableFuture.completedFuture("range " + s.rangeId() + ": "
          + Keyspace.show(s.key()) + " is a system key; the system range is not split");
    }
    return outcome(admin.split(AdminSplitRequest.newBuilder()
        .setUserKey(ByteString.copyFrom(Keyspace.toUser(s.key())))
        .setStickyUntilMillis(s.stickyUntilMillis()).build()),
        resp -> resp.getError());
  }

  private CompletableFuture<String> change(NodeAdminGrpc.NodeAdminFutureStub admin, long range,
      ChangeReplicasRequest.Op op, long store) {
    return outcome(admin.changeReplicas(ChangeReplicasRequest.newBuilder().setRangeId(range)
        .setOp(op).setStore(store).build()), resp -> resp.getError());
  }

  private <T> CompletableFuture<String> outcome(
      com.google.common.util.concurrent.ListenableFuture<T> call, Function<T, KvError> error) {
    CompletableFuture<String> f = new CompletableFuture<>();
    call.addListener(() -> {
      try {
        KvError e = error.apply(call.get());
        boolean ok = e.getCode() == KvError.Code.NONE;
        f.complete(ok ? null : e.getCode() + ": " + e.getMessage());
        if (ok) {
          taken.run();
        }
      } catch (Exception e) {
        Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
        f.complete(String.valueOf(cause));
      }
    }, callbacks);
    return f;
  }
}
