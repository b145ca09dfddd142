package io.flotilla.placement.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster as one scheduling pass sees it: the stores' and ranges' last heartbeats, the
 * operators in flight and the recent departures. Liveness is decided here from the heartbeat
 * times and the settings. Per-store tallies count the replicas and leaders the ranges will have
 * once the operators in flight succeed ({@link InFlight#projectedReplicas}); they are computed
 * on first use, so a view belongs to one thread.
 */
public final class ClusterView {
  private final long nowMillis;
  private final PlacementSettings settings;
  private final Map<Long, StoreStats> stores;
  private final List<RangeStats> ranges;
  private final Map<Long, RangeStats> rangesById;
  private final InFlight inFlight;
  private final PlacementHistory history;
  private StoreTallies tallies;

  /** {@code rangesByStartKey} must be sorted by start key. */
  public ClusterView(long nowMillis, PlacementSettings settings, Map<Long, StoreStats> stores,
      List<RangeStats> rangesByStartKey, InFlight inFlight, PlacementHistory history) {
    this(nowMillis, settings, Map.copyOf(stores), List.copyOf(rangesByStartKey),
        index(rangesByStartKey), inFlight, history);
  }

  private ClusterView(long nowMillis, PlacementSettings settings, Map<Long, StoreStats> stores,
      List<RangeStats> ranges, Map<Long, RangeStats> rangesById, InFlight inFlight,
      PlacementHistory history) {
    this.nowMillis = nowMillis;
    this.settings = settings;
    this.stores = stores;
    this.ranges = ranges;
    this.rangesById = rangesById;
    this.inFlight = inFlight;
    this.history = history;
  }

  /** The same cluster with other operators in flight (cheap: the range index is shared). */
  public ClusterView withInFlight(InFlight other) {
    return new ClusterView(nowMillis, settings, stores, ranges, rangesById, other, history);
  }

  private static Map<Long, RangeStats> index(List<RangeStats> ranges) {
    Map<Long, RangeStats> byId = new HashMap<>(ranges.size() * 2);
    for (RangeStats r : ranges) {
      if (byId.put(r.rangeId(), r) != null) {
        throw new IllegalArgumentException("range " + r.rangeId() + " appears twice");
      }
    }
    return byId;
  }

  public long nowMillis() {
    return nowMillis;
  }

  public PlacementSettings settings() {
    return settings;
  }

  public Map<Long, StoreStats> stores() {
    return stores;
  }

  public StoreStats store(long storeId) {
    return stores.get(storeId);
  }

  /** All ranges, by start key. */
  public List<RangeStats> ranges() {
    return ranges;
  }

  /** The range, or null if it no longer exists. */
  public RangeStats range(long rangeId) {
    return rangesById.get(rangeId);
  }

  public InFlight inFlight() {
    return inFlight;
  }

  public PlacementHistory history() {
    return history;
  }

  public boolean hasOperator(long rangeId) {
    return inFlight.ranges().contains(rangeId);
  }

  /** Heard from within the dead-after time; an unknown store is dead. */
  public boolean isLive(long storeId) {
    return silentFor(storeId) <= settings.storeDeadAfterMillis();
  }

  /**
   * Whether the store's disk is fuller than the max-disk-used setting: it takes no new
   * replicas (a snapshot could fill it, and a full disk stops every range on it).
   */
  public boolean diskFull(long storeId) {
    StoreStats s = stores.get(storeId);
    return s != null && s.diskUsedFraction() > settings.maxDiskUsed();
  }

  /** Heard from within the down-after time: counted on for quorums and new work. */
  public boolean isResponsive(long storeId) {
    return silentFor(storeId) <= settings.storeDownAfterMillis();
  }

  /** A store that may take new replicas and leaders: UP and responsive. */
  public boolean isTarget(long storeId) {
    StoreStats s = stores.get(storeId);
    return s != null && s.state() == StoreState.UP && isResponsive(storeId);
  }

  private long silentFor(long storeId) {
    StoreStats s = stores.get(storeId);
    return s == null ? Long.MAX_VALUE : nowMillis - s.lastHeartbeatMillis();
  }

  /** Ids of stores that may take new replicas and leaders, ascending. */
  public List<Long> targetStores() {
    return stores.keySet().stream().filter(this::isTarget).sorted().toList();
  }

  public int liveVoters(RangeStats range) {
    return count(range.voters(), true);
  }

  public int responsiveVoters(RangeStats range) {
    return count(range.voters(), false);
  }

  private int count(Collection<Long> storeIds, boolean liveEnough) {
    int n = 0;
    for (long id : storeIds) {
      if (liveEnough ? isLive(id) : isResponsive(id)) {
        n++;
      }
    }
    return n;
  }

  /** Whether {@code voters} keeps a quorum of responsive members. */
  public boolean hasResponsiveQuorum(Collection<Long> voters) {
    return !voters.isEmpty()
        && count(voters, false) >= PlacementSettings.quorum(voters.size());
  }

  /** Replicas (voters and learners) on the store, projected past operators in flight. */
  public int replicaCount(long storeId) {
    return tallies().replicas(storeId);
  }

  public int leaderCount(long storeId) {
    return tallies().leaders(storeId);
  }

  public long bytesOn(long storeId) {
    return tallies().bytes(storeId);
  }

  /** Reads plus writes per second of the ranges the store leads. */
  public double leaderLoad(long storeId) {
    return tallies().leaderLoad(storeId);
  }

  /** Ranges with a replica on the store now (not projected). */
  public List<RangeStats> replicasOn(long storeId) {
    return tallies().replicasOn(storeId);
  }

  /** Ranges the store leads now. */
  public List<RangeStats> ledBy(long storeId) {
    return tallies().ledBy(storeId);
  }

  /** Replicas every range should have, in total: what the target stores share. */
  public long desiredReplicas() {
    return (long) ranges.size() * settings.replicas();
  }

  private StoreTallies tallies() {
    if (tallies == null) {
      tallies = new StoreTallies(ranges, inFlight);
    }
    return tallies;
  }

  /** Per-store sums over the ranges, computed once per view. */
  private static final class StoreTallies {
    private final Map<Long, int[]> counts = new HashMap<>();
    private final Map<Long, long[]> bytes = new HashMap<>();
    private final Map<Long, double[]> loads = new HashMap<>();
    private final Map<Long, List<RangeStats>> replicasOn = new HashMap<>();
    private final Map<Long, List<RangeStats>> ledBy = new HashMap<>();

    StoreTallies(List<RangeStats> ranges, InFlight inFlight) {
      for (RangeStats r : ranges) {
        for (long s : r.replicas()) {
          replicasOn.computeIfAbsent(s, k -> new ArrayList<>()).add(r);
        }
        if (r.leaderStore() != 0) {
          ledBy.computeIfAbsent(r.leaderStore(), k -> new ArrayList<>()).add(r);
        }
        Set<Long> projected = inFlight.projectedReplicas().get(r.rangeId());
        for (long s : projected != null ? projected : r.replicas()) {
          counts.computeIfAbsent(s, k -> new int[2])[0]++;
          bytes.computeIfAbsent(s, k -> new long[1])[0] += r.approxBytes();
        }
        long leader = inFlight.projectedLeaders().getOrDefault(r.rangeId(), r.leaderStore());
        if (leader != 0) {
          counts.computeIfAbsent(leader, k -> new int[2])[1]++;
          loads.computeIfAbsent(leader, k -> new double[1])[0] += r.load();
        }
      }
    }

    int replicas(long store) {
      int[] c = counts.get(store);
      return c == null ? 0 : c[0];
    }

    int leaders(long store) {
      int[] c = counts.get(store);
      return c == null ? 0 : c[1];
    }

    long bytes(long store) {
      long[] b = bytes.get(store);
      return b == null ? 0 : b[0];
    }

    double leaderLoad(long store) {
      double[] l = loads.get(store);
      return l == null ? 0 : l[0];
    }

    List<RangeStats> replicasOn(long store) {
      return replicasOn.getOrDefault(store, List.of());
    }

    List<RangeStats> ledBy(long store) {
      return ledBy.getOrDefault(store, List.of());
    }
  }
}
