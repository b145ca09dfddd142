package io.flotilla.placement.sim;

import io.flotilla.placement.model.StoreState;

/** One simulated store: its requested state, whether its process runs, its last heartbeat. */
final class SimStore {
  final long id;
  StoreState state = StoreState.UP;
  boolean alive = true;
  long lastHeartbeatMillis;

  SimStore(long id, long nowMillis) {
    this.id = id;
    this.lastHeartbeatMillis = nowMillis;
  }
}
