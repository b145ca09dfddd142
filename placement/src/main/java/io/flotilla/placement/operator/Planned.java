package io.flotilla.placement.operator;

import io.flotilla.placement.model.RangeStats;

/**
 * What every operator is planned with: its range, the range's generation then (a split or merge
 * since fails the operator), why and when. A driver that takes over rebuilds an operator from
 * its decision record with the same.
 */
public record Planned(long rangeId, long generation, String reason, long createdMillis) {
  static Planned of(RangeStats range, String reason, long nowMillis) {
    return new Planned(range.rangeId(), range.generation(), reason, nowMillis);
  }
}
