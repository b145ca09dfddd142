package io.flotilla.placement.testing;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.InFlight;
import io.flotilla.placement.model.PlacementHistory;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.model.StoreState;
import io.flotilla.placement.model.StoreStats;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-built views for unit tests. Ranges are laid out left to right in the order they are
 * added: the k-th covers keys [k*1000, (k+1)*1000) and its load key is k*1000 + 500.
 */
public final class ViewBuilder {
  public static final long MIB = 1L << 20;
  private long now = 10_000_000;
  private PlacementSettings settings = PlacementSettings.defaults();
  private final Map<Long, StoreStats> stores = new HashMap<>();
  private final List<RangeStats> ranges = new ArrayList<>();
  private InFlight inFlight = InFlight.NONE;
  private PlacementHistory history = new PlacementHistory();

  public ViewBuilder settings(PlacementSettings s) {
    this.settings = s;
    return this;
  }

  public ViewBuilder now(long millis) {
    this.now = millis;
    return this;
  }

  public long now() {
    return now;
  }

  public PlacementSettings settings() {
    return settings;
  }

  public ViewBuilder up(long... ids) {
    for (long id : ids) {
      stores.put(id, StoreStats.of(id, StoreState.UP, now));
    }
    return this;
  }

  public ViewBuilder store(long id, StoreState state) {
    stores.put(id, StoreStats.of(id, state, now));
    return this;
  }

  /** Silent for longer than the dead-after setting. */
  public ViewBuilder dead(long... ids) {
    for (long id : ids) {
      stores.put(id, StoreStats.of(id, StoreState.UP, now - settings.storeDeadAfterMillis() - 1));
    }
    return this;
  }

  public ViewBuilder range(long id, long leader, List<Long> voters) {
    return range(id, leader, voters, List.of(), MIB, 0);
  }

  public ViewBuilder range(long id, long leader, List<Long> voters, List<Long> learners,
      long bytes, double writesPerSec) {
    long k = ranges.size();
    ranges.add(new RangeStats(id, key(k * 1000), key((k + 1) * 1000), 1, voters, learners,
        leader, bytes, bytes / 100, 0, writesPerSec, key(k * 1000 + 500)));
    return this;
  }

  /** Makes the split at range {@code id}'s start stay until {@code untilMillis}. */
  public ViewBuilder sticky(long id, long untilMillis) {
    RangeStats r = rangeStats(id);
    return replace(new RangeStats(r.rangeId(), r.startKey(), r.endKey(), r.generation(),
        r.voters(), r.learners(), r.leaderStore(), r.approxBytes(), r.approxKeys(),
        r.readsPerSec(), r.writesPerSec(), r.loadSplitKey(), untilMillis));
  }

  /** Gives store {@code id} (already added) a disk of {@code capacity} bytes, {@code free}
   *  of them available. */
  public ViewBuilder disk(long id, long capacity, long free) {
    StoreStats s = stores.get(id);
    stores.put(id, new StoreStats(id, s.state(), capacity, free, capacity - free,
        s.rangeCount(), s.leaderCount(), s.readsPerSec(), s.writesPerSec(),
        s.writeBytesPerSec(), s.lastHeartbeatMillis()));
    return this;
  }

  /** Replaces range {@code id} (same position) with {@code r}. */
  public ViewBuilder replace(RangeStats r) {
    ranges.replaceAll(old -> old.rangeId() == r.rangeId() ? r : old);
    return this;
  }

  public RangeStats rangeStats(long id) {
    return ranges.stream().filter(r -> r.rangeId() == id).findFirst().orElseThrow();
  }

  public ViewBuilder inFlight(InFlight f) {
    this.inFlight = f;
    return this;
  }

  public ViewBuilder history(PlacementHistory h) {
    this.history = h;
    return this;
  }

  public ClusterView build() {
    return new ClusterView(now, settings, stores, ranges, inFlight, history);
  }

  public static byte[] key(long k) {
    return ByteBuffer.allocate(8).putLong(k).array();
  }

  /** {@code r} with other members, leader and generation. */
  public static RangeStats with(RangeStats r, long generation, List<Long> voters,
      List<Long> learners, long leader) {
    return new RangeStats(r.rangeId(), r.startKey(), r.endKey(), generation, voters, learners,
        leader, r.approxBytes(), r.approxKeys(), r.readsPerSec(), r.writesPerSec(),
        r.loadSplitKey(), r.stickyUntilMillis());
  }
}
