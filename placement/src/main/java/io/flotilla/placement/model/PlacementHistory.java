package io.flotilla.placement.model;

import java.util.HashMap;
import java.util.Map;

/**
 * Which stores each range recently left, as a replica or as leader. Schedulers consult it so
 * that nothing moves back and forth; the driver records departures as operators succeed. It is
 * the one mutable part of a view, written by the driver between scheduling passes only.
 */
public final class PlacementHistory {
  private final Map<Long, Map<Long, Long>> replicaLeft = new HashMap<>();
  private final Map<Long, Map<Long, Long>> leaderLeft = new HashMap<>();

  public void recordReplicaLeft(long rangeId, long storeId, long atMillis) {
    replicaLeft.computeIfAbsent(rangeId, k -> new HashMap<>()).put(storeId, atMillis);
  }

  public void recordLeaderLeft(long rangeId, long storeId, long atMillis) {
    leaderLeft.computeIfAbsent(rangeId, k -> new HashMap<>()).put(storeId, atMillis);
  }

  public boolean replicaLeftWithin(long rangeId, long storeId, long nowMillis, long window) {
    return within(replicaLeft, rangeId, storeId, nowMillis, window);
  }

  public boolean leaderLeftWithin(long rangeId, long storeId, long nowMillis, long window) {
    return within(leaderLeft, rangeId, storeId, nowMillis, window);
  }

  /** Forgets departures before {@code cutoffMillis}, so the history stays bounded. */
  public void forgetBefore(long cutoffMillis) {
    prune(replicaLeft, cutoffMillis);
    prune(leaderLeft, cutoffMillis);
  }

  private static boolean within(Map<Long, Map<Long, Long>> log, long rangeId, long storeId,
      long nowMillis, long window) {
    Map<Long, Long> byStore = log.get(rangeId);
    Long at = byStore == null ? null : byStore.get(storeId);
    return at != null && nowMillis - at < window;
  }

  private static void prune(Map<Long, Map<Long, Long>> log, long cutoffMillis) {
    log.values().forEach(byStore -> byStore.values().removeIf(at -> at < cutoffMillis));
    log.values().removeIf(Map::isEmpty);
  }
}
