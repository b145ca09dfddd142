package io.flotilla.placement.model;

/** One store's heartbeat, as the placement driver last received it. */
public record StoreStats(long storeId, StoreState state, long capacityBytes, long usedBytes,
    int rangeCount, int leaderCount, double readsPerSec, double writesPerSec,
    double writeBytesPerSec, long lastHeartbeatMillis) {

  public StoreStats {
    if (storeId <= 0) {
      throw new IllegalArgumentException("store id must be positive, got " + storeId);
    }
    if (state == null) {
      throw new IllegalArgumentException("store " + storeId + " has no state");
    }
  }

  /** A store that reports nothing but its state and its last heartbeat. */
  public static StoreStats of(long storeId, StoreState state, long lastHeartbeatMillis) {
    return new StoreStats(storeId, state, 0, 0, 0, 0, 0, 0, 0, lastHeartbeatMillis);
  }

  public StoreStats withState(StoreState newState) {
    return new StoreStats(storeId, newState, capacityBytes, usedBytes, rangeCount, leaderCount,
        readsPerSec, writesPerSec, writeBytesPerSec, lastHeartbeatMillis);
  }
}
