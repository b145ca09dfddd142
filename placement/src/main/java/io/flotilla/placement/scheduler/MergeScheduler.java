package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.operator.MergeRanges;
import io.flotilla.placement.operator.MoveReplica;
import io.flotilla.placement.operator.Operator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Merges adjacent ranges that are both small and cool, when together they stay below half the
 * split size and half the split load (so the result is never split again at once), and the
 * split between them was not made to stay (asked for by a person, or split off for its load
 * a short while ago: {@code RangeStats#sticky}). A merge needs both ranges on the same
 * voters; when they differ, this first aligns them, one move at a time, by moving a replica of
 * the right range onto a store of the left one, or the other way when the cooldown forbids
 * that (the right range left the store recently). Aligning rather than waiting for chance
 * keeps empty ranges from lingering; balance corrects what it costs afterwards. Pairs are
 * disjoint in a pass.
 */
public final class MergeScheduler implements PlacementScheduler {

  @Override
  public String name() {
    return "merge";
  }

  @Override
  public boolean rebalances() {
    return false;
  }

  @Override
  public void schedule(ClusterView view, Admission admission) {
    if (view.settings().mergeSizeBytes() == 0) {
      return; // merging is off
    }
    List<RangeStats> ranges = view.ranges();
    for (int i = 0; i + 1 < ranges.size() && !admission.full(); i++) {
      RangeStats left = ranges.get(i);
      RangeStats right = ranges.get(i + 1);
      if (mergeable(view, admission, left, right)) {
        Operator op = mergeOrAlign(view, admission, left, right);
        if (op != null && admission.admit(op)) {
          i++;
        }
      }
    }
  }

  private static boolean mergeable(ClusterView view, Admission admission, RangeStats left,
      RangeStats right) {
    PlacementSettings s = view.settings();
    // The first range is the system range (it starts at the empty key): nodes find the
    // cluster's records by its id, so it never merges away.
    return left.isLeftNeighbourOf(right) && left.startKey().length > 0
        && !right.sticky(view.nowMillis())
        && admission.isFree(left.rangeId()) && admission.isFree(right.rangeId())
        && left.leaderStore() != 0 && right.leaderStore() != 0
        && left.learners().isEmpty() && right.learners().isEmpty()
        && left.approxBytes() <= s.mergeSizeBytes() && right.approxBytes() <= s.mergeSizeBytes()
        && left.approxBytes() + right.approxBytes() <= s.splitSizeBytes() / 2
        && left.writesPerSec() + right.writesPerSec() <= s.splitWritesPerSec() / 2;
  }

  private static Operator mergeOrAlign(ClusterView view, Admission admission, RangeStats left,
      RangeStats right) {
    String sizes = "ranges %d and %d hold %d and %d bytes".formatted(left.rangeId(),
        right.rangeId(), left.approxBytes(), right.approxBytes());
    if (new HashSet<>(left.voters()).equals(new HashSet<>(right.voters()))) {
      return new MergeRanges(left, right, sizes, view.nowMillis(), view.settings());
    }
    Operator op = align(view, right, left, sizes);
    if (op == null) {
      op = align(view, left, right, sizes);
    }
    return op != null ? op : detour(view, admission, left, right, sizes);
  }

  /**
   * When the cooldown blocks both directions, moves the right range's odd replica to a third
   * store neither range left recently; the left range can then follow it there.
   */
  private static Operator detour(ClusterView view, Admission admission, RangeStats left,
      RangeStats right, String sizes) {
    long from = right.voters().stream().filter(v -> !left.voters().contains(v)).findFirst()
        .orElse(0L);
    for (long to : admission.targets()) {
      if (from != 0 && !left.hasReplicaOn(to) && !right.hasReplicaOn(to)
          && !Targets.leftRecently(view, left.rangeId(), to)
          && !Targets.leftRecently(view, right.rangeId(), to)) {
        return new MoveReplica(right, from, to, sizes + "; moving range " + right.rangeId()
            + " to a store range " + left.rangeId() + " can join, to merge them",
            view.nowMillis(), view.settings());
      }
    }
    return null;
  }

  /** A move of one replica of {@code moving} onto a voter store of {@code model}, or null. */
  private static Operator align(ClusterView view, RangeStats moving, RangeStats model,
      String sizes) {
    Set<Long> modelVoters = new HashSet<>(model.voters());
    long from = moving.voters().stream().filter(v -> !modelVoters.contains(v)).findFirst()
        .orElse(0L);
    if (from == 0) {
      return null; // fewer voters: repair adds the missing one first
    }
    for (long to : model.voters()) {
      if (!moving.hasReplicaOn(to) && view.isTarget(to)
          && !Targets.leftRecently(view, moving.rangeId(), to)) {
        return new MoveReplica(moving, from, to, sizes + "; aligning range "
            + moving.rangeId() + " with the voters of range " + model.rangeId()
            + " to merge them", view.nowMillis(), view.settings());
      }
    }
    return null;
  }
}
