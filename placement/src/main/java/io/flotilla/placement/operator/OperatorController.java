package io.flotilla.placement.operator;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.InFlight;
import io.flotilla.placement.model.PlacementHistory;
import io.flotilla.placement.model.RangeStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Owns the running operators between scheduling passes: observes them against each new view,
 * retires the finished ones (recording in the history which store a range left, for the
 * schedulers' cooldown) and summarises the rest as {@link InFlight}. One operator per range
 * (a merge holds its right range too, through {@link InFlight#ranges}).
 */
public final class OperatorController {
  private final Map<Long, Operator> running = new LinkedHashMap<>();
  private final PlacementHistory history;

  public OperatorController(PlacementHistory history) {
    this.history = history;
  }

  /** Takes over new operators and computes their first step from {@code view}. */
  public void start(Collection<Operator> operators, ClusterView view) {
    for (Operator op : operators) {
      Operator previous = running.putIfAbsent(op.rangeId(), op);
      if (previous != null) {
        throw new IllegalStateException("range " + op.rangeId() + " already has " + previous
            + "; refused " + op);
      }
      op.observe(view);
    }
  }

  /** Observes every running operator; returns those that finished, in start order. */
  public List<Operator> observe(ClusterView view) {
    List<Operator> finished = new ArrayList<>();
    for (var it = running.values().iterator(); it.hasNext(); ) {
      Operator op = it.next();
      op.observe(view);
      if (op.isFinished()) {
        it.remove();
        finished.add(op);
        if (op.outcome().succeeded()) {
          recordDepartures(op, view.nowMillis());
        }
      }
    }
    return finished;
  }

  /**
   * Records in the history which store the succeeded {@code op} made its range leave, at
   * {@code atMillis}: as operators finish here, and for those that succeeded under a former
   * driver, so that a failover does not forget the cooldown.
   */
  public void recordDepartures(Operator op, long atMillis) {
    switch (op) {
      case MoveReplica m -> history.recordReplicaLeft(m.rangeId(), m.from(), atMillis);
      // A stray learner (a move a former driver left unfinished) never held the range there:
      // removing it must not bar the range from that store for the cooldown.
      case RemoveReplica r when r.removesVoter() ->
          history.recordReplicaLeft(r.rangeId(), r.store(), atMillis);
      case TransferLeader t -> history.recordLeaderLeft(t.rangeId(), t.from(), atMillis);
      default -> {
      }
    }
  }

  public Collection<Operator> running() {
    return running.values();
  }

  /** What the running operators will do, for the next scheduling pass. */
  public InFlight inFlight(ClusterView view) {
    Map<Long, Integer> perStore = new HashMap<>();
    Map<Long, Integer> sending = new HashMap<>();
    Map<Long, Integer> receiving = new HashMap<>();
    Map<Long, Set<Long>> replicas = new HashMap<>();
    Map<Long, Long> leaders = new HashMap<>();
    Set<Long> busy = new HashSet<>(running.keySet());
    for (Operator op : running.values()) {
      if (op instanceof MergeRanges m) {
        busy.add(m.rightRangeId());
      }
      op.stores().forEach(s -> perStore.merge(s, 1, Integer::sum));
      RangeStats range = view.range(op.rangeId());
      if (range == null) {
        continue;
      }
      long receiver = op.snapshotReceiver();
      if (receiver != 0) {
        receiving.merge(receiver, 1, Integer::sum);
        sending.merge(range.leaderStore(), 1, Integer::sum);
      }
      Set<Long> after = op.projectedReplicas(range);
      if (!after.equals(new HashSet<>(range.replicas()))) {
        replicas.put(range.rangeId(), after);
      }
      long leader = op.projectedLeader(range);
      if (leader != range.leaderStore()) {
        leaders.put(range.rangeId(), leader);
      }
    }
    return new InFlight(busy, perStore, running.size(), sending, receiving,
        replicas, leaders);
  }
}
