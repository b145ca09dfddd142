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
  private final long rangeBytes;

  public AddReplica(RangeStats range, long store, String reason, long nowMillis,
      PlacementSettings settings) {
    this(Planned.of(range, reason, nowMillis), store, range.approxBytes(), settings);
  }

  /** @param rangeBytes the range's size when planned: the snapshot's time allowance */
  public AddReplica(Planned planned, long store, long rangeBytes, PlacementSettings settings) {
    super(planned, List.of(
        new AddLearnerPhase(settings.snapshotStepTimeoutMillis(rangeBytes), planned.rangeId(),
            planned.generation(), store),
        new PromotePhase(settings.stepTimeoutMillis(), planned.rangeId(), planned.generation(),
            store, 0)));
    this.store = store;
    this.rangeBytes = rangeBytes;
  }

  public long store() {
    return store;
  }

  public long rangeBytes() {
    return rangeBytes;
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
