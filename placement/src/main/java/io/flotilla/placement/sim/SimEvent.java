package io.flotilla.placement.sim;

/** Something a scenario does to the simulated cluster at the start of a round. */
public sealed interface SimEvent {
  int round();

  record AddStores(int round, int count) implements SimEvent {
  }

  /** The store stops: no heartbeats, no steps; its replicas stay until repaired. */
  record KillStore(int round, long storeId) implements SimEvent {
  }

  record Decommission(int round, long storeId) implements SimEvent {
  }

  record Drain(int round, long storeId) implements SimEvent {
  }

  /** The range (by its initial id) starts taking this many writes per second. */
  record HotRange(int round, long rangeId, double writesPerSec) implements SimEvent {
  }

  /** The leftmost fraction of the ranges (by key) lose all their data and load. */
  record DropData(int round, double fraction) implements SimEvent {
  }
}
