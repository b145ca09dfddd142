package io.flotilla.kv.crash;

import io.flotilla.kv.RaftLogStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The expected logs of groups {@code 1..n}, built from the batches known to be durable, and the
 * checks that compare them with what a store holds.
 */
final class LogModel {
  private final GroupModel[] groups;

  LogModel(int groupCount) {
    groups = new GroupModel[groupCount + 1];
    for (int g = 1; g <= groupCount; g++) {
      groups[g] = new GroupModel(g);
    }
  }

  int groupCount() {
    return groups.length - 1;
  }

  GroupModel group(long g) {
    return groups[(int) g];
  }

  /** Takes a batch known to be durable. */
  void apply(BatchPlan p) {
    for (BatchPlan.Part part : p.parts()) {
      groups[(int) part.group()].apply(part, p.id());
    }
  }

  long entryCount() {
    long n = 0;
    for (int g = 1; g < groups.length; g++) {
      n += groups[g].entryCount();
    }
    return n;
  }

  /** Every group's log as stored, entry payloads checked ({@link GroupModel#read}). */
  GroupModel[] read(RaftLogStore log) {
    GroupModel[] actual = new GroupModel[groups.length];
    for (int g = 1; g < groups.length; g++) {
      actual[g] = GroupModel.read(log, g);
    }
    return actual;
  }

  /**
   * Settles a batch whose commit was begun but not acknowledged (or failed): it must be
   * visible in all its groups or in none. If visible, the model takes it.
   *
   * @return whether the batch is on disk
   * @throws AssertionError if it is partly visible, or a group matches neither outcome
   */
  boolean settle(BatchPlan p, GroupModel[] actual) {
    List<Long> with = new ArrayList<>();
    List<Long> without = new ArrayList<>();
    for (BatchPlan.Part part : p.parts()) {
      GroupModel before = groups[(int) part.group()];
      GroupModel after = before.copy();
      after.apply(part, p.id());
      String diffBefore = before.diff(actual[(int) part.group()]);
      String diffAfter = after.diff(actual[(int) part.group()]);
      if (diffBefore == null) {
        without.add(part.group());
      } else if (diffAfter == null) {
        with.add(part.group());
      } else {
        throw new AssertionError("group " + part.group() + " matches neither the state before"
            + " nor the state after unacknowledged batch " + p.id() + ": before: " + diffBefore
            + "; after: " + diffAfter);
      }
    }
    if (!with.isEmpty() && !without.isEmpty()) {
      throw new AssertionError("unacknowledged batch " + p.id() + " is partly visible: in"
          + " groups " + with + " but not in " + without);
    }
    if (with.isEmpty()) {
      return false;
    }
    apply(p);
    return true;
  }

  /** How the unacknowledged batches of {@link #assertMatches} turned out. */
  record Settled(int present, int absent) {}

  /**
   * Checks that every group equals {@code actual} once the {@code unknown} batches (begun but
   * not acknowledged, at most one per group) are {@linkplain #settle settled}.
   */
  Settled assertMatches(GroupModel[] actual, Iterable<BatchPlan> unknown) {
    Set<Long> settled = new HashSet<>();
    int present = 0;
    int absent = 0;
    for (BatchPlan p : unknown) {
      if (settle(p, actual)) {
        present++;
      } else {
        absent++;
      }
      for (BatchPlan.Part part : p.parts()) {
        if (!settled.add(part.group())) {
          throw new AssertionError("two unacknowledged batches touch group " + part.group());
        }
      }
    }
    for (int g = 1; g < groups.length; g++) {
      String diff = groups[g].diff(actual[g]);
      if (diff != null) {
        throw new AssertionError("group " + g + ": " + diff);
      }
    }
    return new Settled(present, absent);
  }
}
