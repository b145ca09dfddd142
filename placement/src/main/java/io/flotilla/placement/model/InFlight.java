package io.flotilla.placement.model;

import java.util.Map;
import java.util.Set;

/**
 * What the operators already running will do, so that schedulers neither pile more work on a
 * busy store nor count a replica that is on its way out (or in) twice.
 *
 * @param ranges ranges with an operator in flight; schedulers leave them alone
 * @param operatorsPerStore running operators that involve each store
 * @param operators running operators in the cluster
 * @param snapshotsSending snapshots each store is sending (a range's leader sends them)
 * @param snapshotsReceiving snapshots each store is receiving
 * @param projectedReplicas for ranges whose replicas are changing: the stores that will hold
 *     them once the operator succeeds
 * @param projectedLeaders for ranges whose leader is changing: the store that will lead
 */
public record InFlight(Set<Long> ranges, Map<Long, Integer> operatorsPerStore, int operators,
    Map<Long, Integer> snapshotsSending, Map<Long, Integer> snapshotsReceiving,
    Map<Long, Set<Long>> projectedReplicas, Map<Long, Long> projectedLeaders) {

  public static final InFlight NONE =
      new InFlight(Set.of(), Map.of(), 0, Map.of(), Map.of(), Map.of(), Map.of());

  public InFlight {
    ranges = Set.copyOf(ranges);
    operatorsPerStore = Map.copyOf(operatorsPerStore);
    snapshotsSending = Map.copyOf(snapshotsSending);
    snapshotsReceiving = Map.copyOf(snapshotsReceiving);
    projectedReplicas = Map.copyOf(projectedReplicas);
    projectedLeaders = Map.copyOf(projectedLeaders);
  }
}
