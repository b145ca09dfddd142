package io.flotilla.placement.operator;

import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.Phases.AddLearnerPhase;
import io.flotilla.placement.operator.Phases.LeaderAwayPhase;
import io.flotilla.placement.operator.Phases.PromotePhase;
import io.flotilla.placement.operator.Phases.RemovePhase;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Moves a replica: a learner on the new store catches up by snapshot, leadership leaves the
 * old store, one joint-consensus change promotes the learner and demotes the old voter, and the
 * old replica is removed. The voter count never drops, so a range with a live quorum keeps one.
 */
public final class MoveReplica extends Operator {
  private final long from;
  private final long to;

  public MoveReplica(RangeStats range, long from, long to, String reason, long nowMillis,
      PlacementSettings settings) {
    super(range.rangeId(), reason, nowMillis, List.of(
        new AddLearnerPhase(settings.snapshotStepTimeoutMillis(range.approxBytes()),
            range.rangeId(), range.generation(), to),
        new LeaderAwayPhase(settings.stepTimeoutMillis(), range.rangeId(), range.generation(),
            from),
        new PromotePhase(settings.stepTimeoutMillis(), range.rangeId(), range.generation(), to,
            range.voters().contains(from) ? from : 0),
        new RemovePhase(settings.stepTimeoutMillis(), range.rangeId(), range.generation(),
            from)));
    if (from == to) {
      throw new IllegalArgumentException("range " + range.rangeId() + ": move from store "
          + from + " to itself");
    }
    this.from = from;
    this.to = to;
  }

  public long from() {
    return from;
  }

  public long to() {
    return to;
  }

  /**
   * Only the new store: it receives the snapshot and catches up. The old one merely drops its
   * copy, and is often dead or being emptied; counting it would cap a whole store's
   * evacuation at the per-store limit.
   */
  @Override
  public Set<Long> stores() {
    return Set.of(to);
  }

  @Override
  public Set<Long> projectedReplicas(RangeStats range) {
    Set<Long> after = new LinkedHashSet<>(range.replicas());
    after.remove(from);
    after.add(to);
    return after;
  }

  @Override
  public long projectedLeader(RangeStats range) {
    return leaderOtherThan(range, from);
  }

  @Override
  public List<Set<Long>> voterSets(RangeStats range) {
    Set<Long> after = new LinkedHashSet<>(range.voters());
    boolean demotes = after.remove(from);
    after.add(to);
    return demotes ? List.of(Set.copyOf(range.voters()), after) : List.of(after);
  }

  @Override
  String describe() {
    return "range " + rangeId() + " store " + from + " -> " + to;
  }
}
