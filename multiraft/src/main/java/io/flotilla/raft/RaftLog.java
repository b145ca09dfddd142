package io.flotilla.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * A member's log: the persisted part read through {@link Storage} followed by the
 * {@link Unstable} tail, with the commit and applied indexes.
 *
 * <p>Invariant: {@code applied <= applying <= committed <= lastIndex()}.
 */
final class RaftLog {
  private final Storage storage;
  private final Unstable unstable;
  private final long maxApplyBytes;
  long committed;
  /** Highest index handed to the application (in a Ready) but perhaps not yet advanced. */
  long applying;
  long applied;

  RaftLog(Storage storage, long maxApplyBytes) {
    this.storage = storage;
    this.maxApplyBytes = maxApplyBytes;
    long first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applying = first - 1;
    this.applied = first - 1;
  }

  Unstable unstable() {
    return unstable;
  }

  long firstIndex() {
    long i = unstable.maybeFirstIndex();
    return i >= 0 ? i : storage.firstIndex();
  }

  long lastIndex() {
    long i = unstable.maybeLastIndex();
    return i >= 0 ? i : storage.lastIndex();
  }

  long lastTerm() {
    return termOrZero(lastIndex());
  }

  /** The highest index that is durable in storage (so a leader may count itself for it). */
  long stableIndex() {
    return unstable.snapshot() != null ? unstable.snapshot().index() - 1 : unstable.offset() - 1;
  }

  /**
   * The term at {@code index}, or 0 if the index is beyond the log or compacted away (its term
   * is unknown, and 0 matches no real entry).
   */
  long termOrZero(long index) {
    long dummy = firstIndex() - 1;
    if (index < dummy || index > lastIndex()) {
      return 0;
    }
    long t = unstable.maybeTerm(index);
    if (t >= 0) {
      return t;
    }
    try {
      return storage.term(index);
    } catch (Storage.CompactedException e) {
      return 0;
    }
  }

  /** Whether the term at {@code index} is known to be compacted away. */
  boolean isCompacted(long index) {
    return index < firstIndex() - 1;
  }

  boolean matchTerm(long index, long term) {
    if (index > lastIndex() || isCompacted(index)) {
      return false;
    }
    return termOrZero(index) == term;
  }

  boolean isUpToDate(long lastIdx, long lastTrm) {
    long myTerm = lastTerm();
    return lastTrm > myTerm || (lastTrm == myTerm && lastIdx >= lastIndex());
  }

  /**
   * The follower side of the consistency check: if the entry at {@code prevIndex} has
   * {@code prevTerm}, appends {@code ents} (discarding a conflicting suffix), advances the
   * commit index, and returns the index of the last new entry; otherwise returns -1.
   */
  long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> ents,
      boolean keepStaleSuffix) {
    if (!matchTerm(prevIndex, prevTerm)) {
      return -1;
    }
    long lastNew = prevIndex + ents.size();
    long conflict = findConflict(ents);
    if (conflict != 0) {
      if (conflict <= committed) {
        throw new IllegalStateException("entry " + conflict + " conflicts with the committed log"
            + " (committed " + committed + ")");
      }
      List<Entry> tail = ents.subList((int) (conflict - (prevIndex + 1)), ents.size());
      if (keepStaleSuffix && lastNew < lastIndex()) {
        tail = new ArrayList<>(tail);
        tail.addAll(slice(lastNew + 1, lastIndex() + 1, Long.MAX_VALUE));
      }
      append(tail);
    }
    commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /**
   * The index of the first entry in {@code ents} whose term differs from ours (including new
   * entries past our end), or 0 if all of them are already here.
   */
  private long findConflict(List<Entry> ents) {
    for (Entry e : ents) {
      if (!matchTerm(e.index(), e.term())) {
        return e.index();
      }
    }
    return 0;
  }

  /**
   * The largest index at or below {@code index} whose term is at most {@code term}, and that
   * term: the last entry that may still match a leader whose entry at {@code index} has
   * {@code term}. Lets a leader skip a whole conflicting term per round trip.
   */
  long[] findConflictByTerm(long index, long term) {
    for (; index > 0; index--) {
      if (isCompacted(index)) {
        return new long[] {index, 0};
      }
      long t = termOrZero(index);
      if (index <= lastIndex() && t <= term) {
        return new long[] {index, t};
      }
    }
    return new long[] {0, 0};
  }

  long append(List<Entry> ents) {
    if (ents.isEmpty()) {
      return lastIndex();
    }
    long after = ents.get(0).index() - 1;
    if (after < committed) {
      throw new IllegalStateException(
          "appending after " + after + " would overwrite committed " + committed);
    }
    unstable.truncateAndAppend(ents);
    return lastIndex();
  }

  void commitTo(long index) {
    if (index > committed) {
      if (index > lastIndex()) {
        throw new IllegalStateException(
            "commit " + index + " is beyond the last index " + lastIndex());
      }
      committed = index;
    }
  }

  /** Commits {@code index} if its entry has {@code term}: the leader's commit rule. */
  boolean maybeCommit(long index, long term) {
    if (index > committed && termOrZero(index) == term) {
      commitTo(index);
      return true;
    }
    return false;
  }

  void appliedTo(long index) {
    if (index > applied) {
      applied = index;
    }
    if (applying < applied) {
      applying = applied;
    }
  }

  boolean hasNextCommittedEntries() {
    return committed > Math.max(applying, firstIndex() - 1);
  }

  /** The next committed entries to hand out for applying, up to the per-Ready byte budget. */
  List<Entry> nextCommittedEntries() {
    long lo = Math.max(applying, firstIndex() - 1) + 1;
    if (committed < lo) {
      return List.of();
    }
    List<Entry> ents = slice(lo, committed + 1, maxApplyBytes);
    applying = ents.get(ents.size() - 1).index();
    return ents;
  }

  /** Entries in [lo, hi) up to {@code maxBytes} (at least one), from storage and unstable. */
  List<Entry> slice(long lo, long hi, long maxBytes) {
    if (lo >= hi) {
      return List.of();
    }
    if (lo < firstIndex()) {
      throw new Storage.CompactedException(lo, firstIndex());
    }
    List<Entry> out = new ArrayList<>();
    long uOffset = unstable.offset();
    if (lo < uOffset) {
      out.addAll(storage.entries(lo, Math.min(hi, uOffset), maxBytes));
      if (out.size() < Math.min(hi, uOffset) - lo) {
        return out;
      }
    }
    if (hi > uOffset) {
      long size = 0;
      for (Entry e : out) {
        size += e.sizeBytes();
      }
      for (Entry e : unstable.slice(Math.max(lo, uOffset), hi)) {
        size += e.sizeBytes();
        if (!out.isEmpty() && size > maxBytes) {
          break;
        }
        out.add(e);
      }
    }
    return out;
  }

  Snapshot snapshot() {
    return unstable.snapshot() != null ? unstable.snapshot() : storage.snapshot();
  }

  /** Replaces the log by a snapshot; its entries are committed by definition. */
  void restore(Snapshot s) {
    committed = s.index();
    unstable.restore(s);
  }
}
