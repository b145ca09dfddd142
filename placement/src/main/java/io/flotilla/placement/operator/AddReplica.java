package io.flotilla.placement.operator;

import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.Phases.AddLearnerPhase;
import io.flotilla.placement.operator.Phases.PromotePhase;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Adds a voter: a learner first, so the range's quorum never waits for a copy in transit. */
public final class AddReplica extends Operator {
  private final long store;

  public AddReplica(RangeStats range, long store, String reason, long nowMillis,
      PlacementSettings settings) {
    super(range.rangeId(), reason, nowMillis, List.of(
        new AddLearnerPhase(settings.snapshotStepTimeoutMillis(range.approxBytes()),
            range.rangeId(), range.generation(), store),
        new PromotePhase(settings.stepTimeoutMillis(), range.rangeId(), range.generation(),
            store, 0)));
    this.store = store;
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
    after.add(store);
    return after;
  }

  @Override
  public List<Set<Long>> voterSets(RangeStats range) {
    Set<Long> after = new LinkedHashSet<>(range.voters());
    after.add(store);
    return List.of(after);
  }

  @Override
  String describe() {
    return "range " + rangeId() + " on store " + store;
  }
}
