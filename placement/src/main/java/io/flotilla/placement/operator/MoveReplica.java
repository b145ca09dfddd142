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
  private final boolean demotes;
  private final long rangeBytes;

  public MoveReplica(RangeStats range, long from, long to, String reason, long nowMillis,
      PlacementSettings settings) {
    this(Planned.of(range, reason, nowMillis), from, to, range.voters().contains(from),
        range.approxBytes(), settings);
  }

  /**
   * @param demotes whether {@code from} holds a voter (not a learner) when planned: the
   *     promote then demotes it in the same joint change. Taken from the plan, not the range
   *     as it is now: a move carried on after the demote must still be the same move.
   * @param rangeBytes the range's size when planned: the snapshot's time allowance
   */
  public MoveReplica(Planned planned, long from, long to, boolean demotes, long rangeBytes,
      PlacementSettings settings) {
    super(planned, List.of(
        new AddLearnerPhase(settings.snapshotStepTimeoutMillis(rangeBytes), planned.rangeId(),
            planned.generation(), to),
        new LeaderAwayPhase(settings.stepTimeoutMillis(), planned.rangeId(),
            planned.generation(), from),
        new PromotePhase(settings.stepTimeoutMillis(), planned.rangeId(), planned.generation(),
            to, demotes ? from : 0),
        new RemovePhase(settings.stepTimeoutMillis(), planned.rangeId(), planned.generation(),
            from)));
    if (from == to) {
      throw new IllegalArgumentException("range " + planned.rangeId() + ": move from store "
          + from + " to itself");
    }
    this.from = from;
    this.to = to;
    this.demotes = demotes;
    this.rangeBytes = rangeBytes;
  }

  public long from() {
    return from;
  }

  public long to() {
    return to;
  }

  /** Whether the old store held a voter when planned, demoted by the promote. */
  public boolean demotes() {
    return demotes;
  }

  public long rangeBytes() {
    return rangeBytes;
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
