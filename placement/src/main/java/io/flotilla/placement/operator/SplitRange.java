package io.flotilla.placement.operator;

import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.Phases.SplitPhase;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Splits a range at a key, or (key null) where its leader finds the middle of its bytes. The
 * right half stays split until {@code stickyUntilMillis}: the merge scheduler leaves it alone
 * until then ({@code RangeDescriptor#stickyUntilMillis}).
 */
public final class SplitRange extends Operator {
  private final byte[] key;
  private final long leader;
  private final long stickyUntilMillis;

  public SplitRange(RangeStats range, byte[] key, long stickyUntilMillis, String reason,
      long nowMillis, PlacementSettings settings) {
    this(Planned.of(range, reason, nowMillis), key, range.leaderStore(), stickyUntilMillis,
        settings);
    if (key != null && !range.strictlyContains(key)) {
      throw new IllegalArgumentException("range " + range.rangeId() + ": split key "
          + HexFormat.of().formatHex(key) + " is not inside the range");
    }
  }

  /** @param leader the range's leader when planned (0 if it had none) */
  public SplitRange(Planned planned, byte[] key, long leader, long stickyUntilMillis,
      PlacementSettings settings) {
    super(planned, List.of(new SplitPhase(settings.stepTimeoutMillis(), planned.rangeId(),
        planned.generation(), key, stickyUntilMillis)));
    this.key = key;
    this.leader = leader;
    this.stickyUntilMillis = stickyUntilMillis;
  }

  /** Until when the split stays (wall-clock ms; 0: it may be merged back at once). */
  public long stickyUntilMillis() {
    return stickyUntilMillis;
  }

  /** The split key, or null for the middle. */
  public byte[] key() {
    return key;
  }

  /** The range's leader when planned, the store that splits it. */
  public long leader() {
    return leader;
  }

  @Override
  public Set<Long> stores() {
    return leader == 0 ? Set.of() : Set.of(leader);
  }

  @Override
  String describe() {
    return "range " + rangeId() + " at " + (key == null ? "its middle"
        : HexFormat.of().formatHex(key));
  }
}
