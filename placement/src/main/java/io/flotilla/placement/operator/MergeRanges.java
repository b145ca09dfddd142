package io.flotilla.placement.operator;

import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.Phases.MergePhase;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Merges a range with its right neighbour; both must have the same voters. */
public final class MergeRanges extends Operator {
  private final long rightRangeId;
  private final Set<Long> stores;

  public MergeRanges(RangeStats left, RangeStats right, String reason, long nowMillis,
      PlacementSettings settings) {
    super(left.rangeId(), reason, nowMillis,
        List.of(new MergePhase(settings.stepTimeoutMillis(), left, right)));
    if (!left.isLeftNeighbourOf(right)) {
      throw new IllegalArgumentException("range " + left.rangeId() + " does not end where range "
          + right.rangeId() + " starts");
    }
    if (!new HashSet<>(left.voters()).equals(new HashSet<>(right.voters()))) {
      throw new IllegalArgumentException("ranges " + left.rangeId() + " and "
          + right.rangeId() + " have different voters: " + left.voters() + " and "
          + right.voters());
    }
    this.rightRangeId = right.rangeId();
    this.stores = Set.copyOf(left.voters());
  }

  public long rightRangeId() {
    return rightRangeId;
  }

  @Override
  public Set<Long> stores() {
    return stores;
  }

  @Override
  String describe() {
    return "ranges " + rangeId() + " + " + rightRangeId;
  }
}
