package io.flotilla.placement.driver;

import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.SplitRange;
import io.flotilla.placement.operator.TransferLeader;
import io.flotilla.placement.proto.ManualRequest;
import io.flotilla.placement.proto.ManualResponse;
import io.flotilla.placement.proto.StoreStatePb;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A change a person asked for through the admin API, carried out by the driver's thread in its
 * next round: operators are started and logged like the schedulers' own (with the request as
 * their reason); state changes (drain, decommission, the balancer switch) are recorded in the
 * driver's state.
 */
final class ManualChange {
  final ManualRequest request;
  final CompletableFuture<ManualResponse> answer = new CompletableFuture<>();

  ManualChange(ManualRequest request) {
    this.request = request;
  }

  void apply(Tenure tenure, ClusterView view) {
    try {
      run(tenure, view).whenComplete((r, e) -> answer.complete(e == null ? r
          : ManualResponse.newBuilder().setError(KvError.newBuilder()
              .setCode(KvError.Code.UNAVAILABLE).setMessage("the change was not recorded (the"
                  + " driver may have moved); ask again: " + e)).build()));
    } catch (RuntimeException e) {
      answer.complete(refused(e.getMessage()));
    }
  }

  /**
   * Starts the change. A state change is answered only once it is written through the system
   * range: an acknowledged drain must survive the driver moving the next moment.
   */
  private CompletableFuture<ManualResponse> run(Tenure tenure, ClusterView view) {
    return switch (request.getChangeCase()) {
      case DRAIN -> storeState(tenure, view, request.getDrain(), StoreStatePb.DRAINING);
      case DECOMMISSION -> storeState(tenure, view, request.getDecommission(),
          StoreStatePb.DECOMMISSIONING);
      case PAUSE_BALANCER -> tenure.setBalancerPaused(true).thenApply(v -> ManualResponse
          .newBuilder().setMessage("balancer paused: no operators are planned until it is"
              + " resumed").build());
      case RESUME_BALANCER -> tenure.setBalancerPaused(false).thenApply(v -> ManualResponse
          .newBuilder().setMessage("balancer resumed").build());
      default -> CompletableFuture.completedFuture(startOperator(tenure, view));
    };
  }

  private ManualResponse startOperator(Tenure tenure, ClusterView view) {
    long now = view.nowMillis();
    var settings = view.settings();
    return switch (request.getChangeCase()) {
      case SPLIT_KEY -> {
        byte[] key = Keyspace.toInternal(request.getSplitKey().toByteArray());
        RangeStats r = view.ranges().stream().filter(x -> contains(x, key)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no range holds that key"));
        if (!r.strictlyContains(key)) {
          throw new IllegalArgumentException("range " + r.rangeId() + " already starts there");
        }
        yield started(tenure, view, new SplitRange(r, key, RangeDescriptor.STICKY_FOREVER,
            "asked: flotilla split", now, settings));
      }
      case TRANSFER_LEADER -> {
        var t = request.getTransferLeader();
        RangeStats r = range(view, t.getRangeId());
        if (!r.voters().contains(t.getToStore())) {
          throw new IllegalArgumentException("store " + t.getToStore() + " holds no voter of "
              + "range " + r.rangeId() + " (voters " + r.voters() + ")");
        }
        yield started(tenure, view, new TransferLeader(r, t.getToStore(),
            "asked: flotilla transfer-leader", now, settings));
      }
      case MOVE -> {
        var m = request.getMove();
        RangeStats r = range(view, m.getRangeId());
        if (!r.hasReplicaOn(m.getFromStore())) {
          throw new IllegalArgumentException("store " + m.getFromStore() + " holds no replica"
              + " of range " + r.rangeId() + " (replicas " + r.replicas() + ")");
        }
        if (r.hasReplicaOn(m.getToStore())) {
          throw new IllegalArgumentException("store " + m.getToStore() + " already holds a"
              + " replica of range " + r.rangeId());
        }
        if (view.store(m.getToStore()) == null) {
          throw new IllegalArgumentException("no store " + m.getToStore() + " in the cluster");
        }
        yield started(tenure, view, new MoveReplica(r, m.getFromStore(), m.getToStore(),
            "asked: flotilla move", now, settings));
      }
      case CHANGE_NOT_SET -> throw new IllegalArgumentException("the request asks for nothing");
      default -> throw new IllegalStateException("not an operator: " + request.getChangeCase());
    };
  }

  private static CompletableFuture<ManualResponse> storeState(Tenure tenure, ClusterView view,
      long store, StoreStatePb state) {
    if (view.store(store) == null) {
      throw new IllegalArgumentException("no store " + store + " in the cluster");
    }
    return tenure.setStoreState(store, state).thenApply(v -> ManualResponse.newBuilder()
        .setMessage("store " + store + " is now " + state.name().toLowerCase()
            + (state == StoreStatePb.DRAINING ? ": its leaders move away"
                : ": its leaders, then its replicas move away")).build());
  }

  private static ManualResponse started(Tenure tenure, ClusterView view, Operator op) {
    if (view.hasOperator(op.rangeId())) {
      throw new IllegalStateException("range " + op.rangeId() + " has an operator running;"
          + " try again when it finished (flotilla operators)");
    }
    tenure.start(List.of(op), view);
    long id = tenure.decisionOf(op);
    return ManualResponse.newBuilder().setDecision(id).setMessage("decision " + id + ": "
        + op).build();
  }

  private static RangeStats range(ClusterView view, long id) {
    RangeStats r = view.range(id);
    if (r == null) {
      throw new IllegalArgumentException("no range " + id + " in the cluster");
    }
    return r;
  }

  private static boolean contains(RangeStats r, byte[] key) {
    return Arrays.compareUnsigned(key, r.startKey()) >= 0
        && (r.endKey().length == 0 || Arrays.compareUnsigned(key, r.endKey()) < 0);
  }

  static ManualResponse refused(String why) {
    return ManualResponse.newBuilder().setError(KvError.newBuilder()
        .setCode(KvError.Code.INVALID).setMessage(why)).build();
  }
}
