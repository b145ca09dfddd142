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
    super(range.rangeId(), reason, nowMillis, List.of(new SplitPhase(
        settings.stepTimeoutMillis(), range.rangeId(), range.generation(), key,
        stickyUntilMillis)));
    if (key != null && !range.strictlyContains(key)) {
      throw new IllegalArgumentException("range " + range.rangeId() + ": split key "
          + HexFormat.of().formatHex(key) + " is not inside the range");
    }
    this.key = key;
    this.leader = range.leaderStore();
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
