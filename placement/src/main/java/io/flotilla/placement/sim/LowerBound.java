package io.flotilla.placement.sim;

import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.StoreState;
import io.flotilla.placement.scheduler.Band;
import java.util.HashMap;
import java.util.Map;

/**
 * The fewest replica moves that can take the cluster, as it is now, to a state the balancer
 * accepts: every replica on a stopped or decommissioning store must move, and the stores that
 * stay must each end inside the count band. A move takes one replica off a store and puts one
 * on another, so the bound is the larger of the departures and the arrivals that are forced.
 * It takes the ranges as they are: merges that remove ranges later can make fewer moves enough.
 */
final class LowerBound {
  private LowerBound() {
  }

  static long replicaMoves(SimCluster cluster, PlacementSettings settings) {
    Map<Long, Integer> counts = new HashMap<>();
    long mustLeave = 0;
    int keepers = 0;
    for (SimStore s : cluster.stores.values()) {
      if (keeps(s)) {
        counts.put(s.id, 0);
        keepers++;
      }
    }
    long missing = 0;
    for (SimRange r : cluster.byStart.values()) {
      for (long v : r.voters) {
        if (counts.containsKey(v)) {
          counts.merge(v, 1, Integer::sum);
        } else {
          mustLeave++;
        }
      }
      missing += Math.max(0, settings.replicas() - r.voters.size());
    }
    if (keepers == 0) {
      return mustLeave;
    }
    Band band = Band.forCount((double) cluster.byStart.size() * settings.replicas() / keepers,
        settings.replicaTolerance());
    long excess = 0;
    long deficit = 0;
    for (int c : counts.values()) {
      excess += Math.max(0, c - (long) Math.floor(band.hi()));
      deficit += Math.max(0, (long) Math.ceil(band.lo()) - c);
    }
    return Math.max(mustLeave + excess, deficit) + missing;
  }

  private static boolean keeps(SimStore s) {
    return s.alive && (s.state == StoreState.UP || s.state == StoreState.DRAINING);
  }
}
