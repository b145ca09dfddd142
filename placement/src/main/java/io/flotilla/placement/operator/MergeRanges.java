package io.flotilla.placement.operator;

import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.Phases.MergePhase;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Merges a range with its right neighbour; both must have the same voters. */
public final class MergeRanges extends Operator {
  private final long rightRangeId;
  private final long rightGeneration;
  private final byte[] rightEndKey;
  private final Set<Long> stores;

  public MergeRanges(RangeStats left, RangeStats right, String reason, long nowMillis,
      PlacementSettings settings) {
    this(Planned.of(left, reason, nowMillis), right.rangeId(), right.generation(),
        right.endKey(), left.voters(), settings);
    if (!left.isLeftNeighbourOf(right)) {
      throw new IllegalArgumentException("range " + left.rangeId() + " does not end where range "
          + right.rangeId() + " starts");
    }
    if (!new HashSet<>(left.voters()).equals(new HashSet<>(right.voters()))) {
      throw new IllegalArgumentException("ranges " + left.rangeId() + " and "
          + right.rangeId() + " have different voters: " + left.voters() + " and "
          + right.voters());
    }
  }

  /**
   * @param rightEndKey where the right range ends: the left one reaches it once merged
   * @param voters the voters both ranges have
   */
  public MergeRanges(Planned planned, long rightRangeId, long rightGeneration,
      byte[] rightEndKey, Collection<Long> voters, PlacementSettings settings) {
    super(planned, List.of(new MergePhase(settings.stepTimeoutMillis(), planned.rangeId(),
        planned.generation(), rightRangeId, rightGeneration, rightEndKey)));
    this.rightRangeId = rightRangeId;
    this.rightGeneration = rightGeneration;
    this.rightEndKey = rightEndKey;
    this.stores = Set.copyOf(voters);
  }

  public long rightRangeId() {
    return rightRangeId;
  }

  public long rightGeneration() {
    return rightGeneration;
  }

  public byte[] rightEndKey() {
    return rightEndKey;
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
