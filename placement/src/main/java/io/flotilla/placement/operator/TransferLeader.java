package io.flotilla.placement.operator;

import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.Phases.TransferPhase;
import java.util.List;
import java.util.Set;

/** Hands a range's leadership to one of its voters. */
public final class TransferLeader extends Operator {
  private final long from;
  private final long to;

  public TransferLeader(RangeStats range, long to, String reason, long nowMillis,
      PlacementSettings settings) {
    super(range.rangeId(), reason, nowMillis, List.of(new TransferPhase(
        settings.stepTimeoutMillis(), range.rangeId(), range.generation(), to)));
    if (!range.voters().contains(to)) {
      throw new IllegalArgumentException("range " + range.rangeId() + ": store " + to
          + " is not a voter of " + range.voters());
    }
    this.from = range.leaderStore();
    this.to = to;
  }

  /** The leader when the operator was made. */
  public long from() {
    return from;
  }

  public long to() {
    return to;
  }

  @Override
  public Set<Long> stores() {
    return from == 0 ? Set.of(to) : Set.of(from, to);
  }

  @Override
  public long projectedLeader(RangeStats range) {
    return to;
  }

  @Override
  String describe() {
    return "range " + rangeId() + " leader " + from + " -> " + to;
  }
}
