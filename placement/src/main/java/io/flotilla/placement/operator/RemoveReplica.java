package io.flotilla.placement.operator;

import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.Phases.LeaderAwayPhase;
import io.flotilla.placement.operator.Phases.RemovePhase;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Removes one replica (an extra voter or a stray learner), moving leadership off it first. */
public final class RemoveReplica extends Operator {
  private final long store;
  /** Whether it removes a voter: a stray learner never really held the range there. */
  private final boolean voter;

  public RemoveReplica(RangeStats range, long store, String reason, long nowMillis,
      PlacementSettings settings) {
    this(Planned.of(range, reason, nowMillis), store, range.voters().contains(store),
        settings);
  }

  /** @param voter whether {@code store} held a voter when planned (else a stray learner) */
  public RemoveReplica(Planned planned, long store, boolean voter, PlacementSettings settings) {
    super(planned, List.of(
        new LeaderAwayPhase(settings.stepTimeoutMillis(), planned.rangeId(),
            planned.generation(), store),
        new RemovePhase(settings.stepTimeoutMillis(), planned.rangeId(), planned.generation(),
            store)));
    this.store = store;
    this.voter = voter;
  }

  public boolean removesVoter() {
    return voter;
  }

  public long store() {
    return store;
  }

  @Override
  public Set<Long> stores() {
    return Set.of(store);
  }

  @Override
  public Set<Long> projectedReplicas(RangeStats range) {
    Set<Long> after = new LinkedHashSet<>(range.replicas());
    after.remove(store);
    return after;
  }

  @Override
  public long projectedLeader(RangeStats range) {
    return leaderOtherThan(range, store);
  }

  @Override
  public List<Set<Long>> voterSets(RangeStats range) {
    Set<Long> after = new LinkedHashSet<>(range.voters());
    return after.remove(store) ? List.of(after) : List.of();
  }

  @Override
  String describe() {
    return "range " + rangeId() + " from store " + store;
  }
}
