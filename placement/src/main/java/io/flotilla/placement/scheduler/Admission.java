package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.MergeRanges;
import io.flotilla.placement.operator.Operator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The budget of one scheduling pass. It admits an operator only if the range is free, every
 * store involved is under its operator limit, the snapshot (if any) fits both the sender's and
 * the receiver's snapshot limit, the cluster is under its limit, and every voter set the range
 * passes through keeps a quorum of responsive voters. Admitted operators count against the
 * budget at once, and the per-store tallies it answers include them, so later choices in the
 * same pass see earlier ones.
 */
public final class Admission {
  private final ClusterView view;
  private final PlacementSettings settings;
  private final Set<Long> claimed;
  private final Map<Long, Integer> perStore;
  private final Map<Long, Integer> sending;
  private final Map<Long, Integer> receiving;
  private final Map<Long, Integer> replicaDelta = new HashMap<>();
  private final Map<Long, Integer> leaderDelta = new HashMap<>();
  private final Map<Long, Long> byteDelta = new HashMap<>();
  private final Map<Long, Double> loadDelta = new HashMap<>();
  private final List<Operator> admitted = new ArrayList<>();
  private final List<Long> targets;
  private int total;

  public Admission(ClusterView view) {
    this.view = view;
    this.settings = view.settings();
    this.claimed = new HashSet<>(view.inFlight().ranges());
    this.perStore = new HashMap<>(view.inFlight().operatorsPerStore());
    this.sending = new HashMap<>(view.inFlight().snapshotsSending());
    this.receiving = new HashMap<>(view.inFlight().snapshotsReceiving());
    this.total = view.inFlight().operators();
    this.targets = view.targetStores();
  }

  /** Offers an operator; returns whether it was admitted. */
  public boolean admit(Operator op) {
    RangeStats range = view.range(op.rangeId());
    if (full() || range == null || !isFree(op.rangeId())
        || op instanceof MergeRanges m && !isFree(m.rightRangeId())
        || !op.stores().stream().allMatch(this::hasRoom)) {
      return false;
    }
    long receiver = op.snapshotReceiver();
    if (receiver != 0 && !(canReceiveSnapshot(receiver) && canSendSnapshot(range.leaderStore()))) {
      return false;
    }
    if (!view.hasResponsiveQuorum(range.voters())
        || !op.voterSets(range).stream().allMatch(view::hasResponsiveQuorum)) {
      return false;
    }
    claim(op, range, receiver);
    return true;
  }

  private void claim(Operator op, RangeStats range, long receiver) {
    claimed.add(op.rangeId());
    if (op instanceof MergeRanges m) {
      claimed.add(m.rightRangeId());
    }
    op.stores().forEach(s -> perStore.merge(s, 1, Integer::sum));
    if (receiver != 0) {
      receiving.merge(receiver, 1, Integer::sum);
      sending.merge(range.leaderStore(), 1, Integer::sum);
    }
    Set<Long> before = new HashSet<>(range.replicas());
    Set<Long> after = op.projectedReplicas(range);
    for (long s : after) {
      if (!before.contains(s)) {
        replicaDelta.merge(s, 1, Integer::sum);
        byteDelta.merge(s, range.approxBytes(), Long::sum);
      }
    }
    for (long s : before) {
      if (!after.contains(s)) {
        replicaDelta.merge(s, -1, Integer::sum);
        byteDelta.merge(s, -range.approxBytes(), Long::sum);
      }
    }
    long leader = op.projectedLeader(range);
    if (leader != range.leaderStore()) {
      leaderDelta.merge(leader, 1, Integer::sum);
      loadDelta.merge(leader, range.load(), Double::sum);
      if (range.leaderStore() != 0) {
        leaderDelta.merge(range.leaderStore(), -1, Integer::sum);
        loadDelta.merge(range.leaderStore(), -range.load(), Double::sum);
      }
    }
    admitted.add(op);
    total++;
  }

  public boolean full() {
    return total >= settings.maxOperatorsInFlight();
  }

  /** No operator runs on the range, and none was admitted for it in this pass. */
  public boolean isFree(long rangeId) {
    return !claimed.contains(rangeId);
  }

  public boolean hasRoom(long storeId) {
    return perStore.getOrDefault(storeId, 0) < settings.maxOperatorsPerStore();
  }

  /** Whether the store may take one more snapshot: below the limit, and its disk not full. */
  public boolean canReceiveSnapshot(long storeId) {
    return receiving.getOrDefault(storeId, 0) < settings.maxSnapshotsPerStore()
        && !view.diskFull(storeId);
  }

  public boolean canSendSnapshot(long storeId) {
    return storeId != 0 && sending.getOrDefault(storeId, 0) < settings.maxSnapshotsPerStore();
  }

  /** Stores that may take new replicas and leaders, ascending by id. */
  public List<Long> targets() {
    return targets;
  }

  public int replicaCount(long storeId) {
    return view.replicaCount(storeId) + replicaDelta.getOrDefault(storeId, 0);
  }

  public int leaderCount(long storeId) {
    return view.leaderCount(storeId) + leaderDelta.getOrDefault(storeId, 0);
  }

  public long bytesOn(long storeId) {
    return view.bytesOn(storeId) + byteDelta.getOrDefault(storeId, 0L);
  }

  public double leaderLoad(long storeId) {
    return view.leaderLoad(storeId) + loadDelta.getOrDefault(storeId, 0.0);
  }

  public List<Operator> admitted() {
    return List.copyOf(admitted);
  }
}
