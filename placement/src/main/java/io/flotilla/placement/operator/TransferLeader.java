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
    this(Planned.of(range, reason, nowMillis), range.leaderStore(), to, settings);
    if (!range.voters().contains(to)) {
      throw new IllegalArgumentException("range " + range.rangeId() + ": store " + to
          + " is not a voter of " + range.voters());
    }
  }

  /** @param from the range's leader when planned (0 if it had none) */
  public TransferLeader(Planned planned, long from, long to, PlacementSettings settings) {
    super(planned, List.of(new TransferPhase(settings.stepTimeoutMillis(), planned.rangeId(),
        planned.generation(), to)));
    this.from = from;
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
