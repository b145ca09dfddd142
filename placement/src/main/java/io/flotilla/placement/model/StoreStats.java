package io.flotilla.placement.model;

/**
 * One store's heartbeat, as the placement driver last received it.
 *
 * @param capacityBytes the size of the store's file system (0: not reported)
 * @param availableBytes what is still free on it, for everything on that disk
 * @param usedBytes what the store's own files take
 */
public record StoreStats(long storeId, StoreState state, long capacityBytes,
    long availableBytes, long usedBytes, int rangeCount, int leaderCount, double readsPerSec, double writesPerSec,
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
    return new StoreStats(storeId, state, 0, 0, 0, 0, 0, 0, 0, 0, lastHeartbeatMillis);
  }

  public StoreStats withState(StoreState newState) {
    return new StoreStats(storeId, newState, capacityBytes, availableBytes, usedBytes,
        rangeCount, leaderCount, readsPerSec, writesPerSec, writeBytesPerSec,
        lastHeartbeatMillis);
  }

  /** The fraction of the store's disk in use, by anything; 0 when it reported no capacity. */
  public double diskUsedFraction() {
    return capacityBytes == 0 ? 0 : 1 - (double) availableBytes / capacityBytes;
  }
}
