package io.flotilla.placement.model;

/**
 * What the operator asked of a store. Liveness is separate: the view decides it from the last
 * heartbeat ({@link ClusterView#isLive}).
 */
public enum StoreState {
  /** Takes replicas and leaders. */
  UP,
  /** Keeps its replicas but hands its leaders away and takes no new replicas or leaders. */
  DRAINING,
  /** Hands its leaders away, then its replicas; becomes DECOMMISSIONED once it holds nothing. */
  DECOMMISSIONING,
  /** Holds nothing and may be switched off. */
  DECOMMISSIONED
}
