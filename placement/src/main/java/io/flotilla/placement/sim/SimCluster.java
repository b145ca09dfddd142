package io.flotilla.placement.sim;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.InFlight;
import io.flotilla.placement.model.PlacementHistory;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.model.StoreStats;
import io.flotilla.placement.operator.AddLearner;
import io.flotilla.placement.operator.MergeStep;
import io.flotilla.placement.operator.Promote;
import io.flotilla.placement.operator.RemoveVoter;
import io.flotilla.placement.operator.SplitAt;
import io.flotilla.placement.operator.Step;
import io.flotilla.placement.operator.TransferLeaderStep;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The simulated cluster: stores and ranges without Raft or disks. Steps take effect after a
 * delay (a snapshot takes its bytes over {@link #SNAPSHOT_BYTES_PER_SEC}); a step whose range
 * split or merged meanwhile, whose target died or whose range has no leader is dropped, as a
 * real store would refuse it. Counts what it did: replicas added, leader transfers, splits,
 * merges, and every return of a range to a store it had left (thrash).
 */
final class SimCluster {
  static final long SNAPSHOT_BYTES_PER_SEC = 32L << 20;
  private static final long MIN_STEP_MILLIS = 200;
  private static final long MAX_STEP_MILLIS = 2000;

  private final SplittableRandom random;
  final TreeMap<Long, SimStore> stores = new TreeMap<>();
  final TreeMap<Long, SimRange> byStart = new TreeMap<>();
  final Map<Long, SimRange> byId = new HashMap<>();
  private final Map<Long, Set<Long>> departed = new HashMap<>();
  private final PriorityQueue<Pending> pending = new PriorityQueue<>();
  private long nextRangeId = 1;
  private long seq;
  int replicasAdded;
  int leaderTransfers;
  int splits;
  int merges;
  int droppedSteps;
  final List<String> thrash = new ArrayList<>();

  private record Pending(long dueMillis, long seq, Step step) implements Comparable<Pending> {
    @Override
    public int compareTo(Pending o) {
      int c = Long.compare(dueMillis, o.dueMillis);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  SimCluster(SplittableRandom random) {
    this.random = random;
  }

  SimStore addStore(long nowMillis) {
    long id = stores.isEmpty() ? 1 : stores.lastKey() + 1;
    SimStore s = new SimStore(id, nowMillis);
    stores.put(id, s);
    return s;
  }

  SimRange addRange(long start, long end) {
    SimRange r = new SimRange(nextRangeId++, start, end);
    byStart.put(start, r);
    byId.put(r.id, r);
    return r;
  }

  boolean alive(long storeId) {
    SimStore s = stores.get(storeId);
    return s != null && s.alive;
  }

  void submit(Step step, long nowMillis) {
    long delay = MIN_STEP_MILLIS + random.nextLong(MAX_STEP_MILLIS - MIN_STEP_MILLIS);
    if (step instanceof AddLearner a && byId.containsKey(a.rangeId())) {
      delay += byId.get(a.rangeId()).bytes * 1000 / SNAPSHOT_BYTES_PER_SEC;
    }
    pending.add(new Pending(nowMillis + delay, seq++, step));
  }

  boolean idle() {
    return pending.isEmpty();
  }

  /** Applies every step due by {@code nowMillis}, in due order. */
  void applyDue(long nowMillis) {
    while (!pending.isEmpty() && pending.peek().dueMillis() <= nowMillis) {
      Step step = pending.poll().step();
      SimRange r = byId.get(step.rangeId());
      if (r == null || r.generation != step.generation() || !alive(r.leader)
          || !apply(step, r)) {
        droppedSteps++;
      } else {
        r.changed();
      }
    }
  }

  private boolean apply(Step step, SimRange r) {
    return switch (step) {
      case AddLearner a -> addLearner(r, a.storeId());
      case Promote p -> promote(r, p.storeId(), p.demoteStoreId());
      case RemoveVoter v -> remove(r, v.storeId());
      case TransferLeaderStep t -> transfer(r, t.storeId());
      case SplitAt s -> split(r, s.key() == null ? r.middle() : SimRange.decode(s.key()));
      case MergeStep m -> merge(r, byId.get(m.rightRangeId()), m.rightGeneration());
    };
  }

  private boolean addLearner(SimRange r, long store) {
    if (!alive(store)) {
      return false;
    }
    if (!r.voters.contains(store) && !r.learners.contains(store)) {
      r.learners.add(store);
      replicasAdded++;
      if (departed.getOrDefault(r.id, Set.of()).contains(store)) {
        thrash.add("range " + r.id + " returned to store " + store);
      }
    }
    return true;
  }

  private boolean promote(SimRange r, long store, long demote) {
    if (!r.learners.remove(store)) {
      return r.voters.contains(store) && !r.voters.contains(demote);
    }
    r.voters.add(store);
    if (demote != 0 && r.voters.remove(demote)) {
      r.learners.add(demote);
    }
    return true;
  }

  private boolean remove(SimRange r, long store) {
    if (r.voters.remove(store) || r.learners.remove(store)) {
      departed.computeIfAbsent(r.id, k -> new HashSet<>()).add(store);
      if (r.leader == store) {
        r.leader = 0;
        electLeader(r);
      }
    }
    return true;
  }

  private boolean transfer(SimRange r, long to) {
    if (!r.voters.contains(to) || !alive(to)) {
      return false;
    }
    if (r.leader != to) {
      r.leader = to;
      leaderTransfers++;
    }
    return true;
  }

  private boolean split(SimRange r, long key) {
    if (key <= r.start || key >= r.end) {
      return false;
    }
    double share = (double) (key - r.start) / (r.end - r.start);
    SimRange right = addRange(key, r.end);
    right.generation = r.generation + 1;
    right.voters.addAll(r.voters);
    right.learners.addAll(r.learners);
    right.leader = r.leader;
    right.bytes = (long) (r.bytes * (1 - share));
    // The load key halves the load by definition; a split for size divides it with the keys.
    right.writesPerSec = r.writesPerSec / 2;
    departed.put(right.id, new HashSet<>(departed.getOrDefault(r.id, Set.of())));
    r.end = key;
    r.generation++;
    r.bytes -= right.bytes;
    r.writesPerSec -= right.writesPerSec;
    splits++;
    return true;
  }

  private boolean merge(SimRange left, SimRange right, long rightGeneration) {
    if (right == null || right.generation != rightGeneration || right.start != left.end
        || !new HashSet<>(left.voters).equals(new HashSet<>(right.voters))
        || !left.learners.isEmpty() || !right.learners.isEmpty()) {
      return false;
    }
    left.end = right.end;
    left.generation = Math.max(left.generation, right.generation) + 1;
    left.bytes += right.bytes;
    left.writesPerSec += right.writesPerSec;
    byStart.remove(right.start);
    byId.remove(right.id);
    merges++;
    return true;
  }

  /** Ranges whose leader died or left elect the first live voter, if a quorum lives. */
  void electLeaders() {
    for (SimRange r : byStart.values()) {
      if (r.leader == 0 || !alive(r.leader) || !r.voters.contains(r.leader)) {
        electLeader(r);
      }
    }
  }

  private void electLeader(SimRange r) {
    long before = r.leader;
    r.leader = hasLiveQuorum(r) ? r.voters.stream().filter(this::alive).findFirst().orElse(0L)
        : 0;
    if (r.leader != before) {
      r.changed();
    }
  }

  boolean hasLiveQuorum(SimRange r) {
    long live = r.voters.stream().filter(this::alive).count();
    return live >= PlacementSettings.quorum(r.voters.size());
  }

  void heartbeat(long nowMillis) {
    stores.values().stream().filter(s -> s.alive).forEach(s -> s.lastHeartbeatMillis = nowMillis);
  }

  ClusterView view(long nowMillis, PlacementSettings settings, PlacementHistory history) {
    Map<Long, StoreStats> stats = new HashMap<>();
    for (SimStore s : stores.values()) {
      stats.put(s.id, StoreStats.of(s.id, s.state, s.lastHeartbeatMillis));
    }
    List<RangeStats> ranges = new ArrayList<>(byStart.size());
    for (SimRange r : byStart.values()) {
      ranges.add(r.stats());
    }
    return new ClusterView(nowMillis, settings, stats, ranges, InFlight.NONE, history);
  }
}
