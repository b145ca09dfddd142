package io.flotilla.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The tail of the log not yet persisted: an optional incoming snapshot and the entries after
 * it. {@code offset} is the index of {@code entries.get(0)}; everything before it is in
 * storage (or in the snapshot).
 */
final class Unstable {
  private Snapshot snapshot;
  private ArrayList<Entry> entries = new ArrayList<>();
  private long offset;

  Unstable(long offset) {
    this.offset = offset;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  List<Entry> entries() {
    return entries;
  }

  long offset() {
    return offset;
  }

  /** The first index if a snapshot is pending, else -1 (ask storage). */
  long maybeFirstIndex() {
    return snapshot == null ? -1 : snapshot.index() + 1;
  }

  /** The last index held here, else -1 (ask storage). */
  long maybeLastIndex() {
    if (!entries.isEmpty()) {
      return offset + entries.size() - 1;
    }
    return snapshot == null ? -1 : snapshot.index();
  }

  /** The term at {@code index} if known here, else -1. */
  long maybeTerm(long index) {
    if (index < offset) {
      return snapshot != null && snapshot.index() == index ? snapshot.term() : -1;
    }
    long last = maybeLastIndex();
    if (last < 0 || index > last) {
      return -1;
    }
    return entries.get((int) (index - offset)).term();
  }

  /** Drops entries up to {@code index} now that they are durable, unless they were replaced. */
  void stableTo(long index, long term) {
    long t = maybeTerm(index);
    if (t != term || index < offset) {
      return;
    }
    entries = new ArrayList<>(entries.subList((int) (index + 1 - offset), entries.size()));
    offset = index + 1;
  }

  void stableSnapTo(long index) {
    if (snapshot != null && snapshot.index() == index) {
      snapshot = null;
    }
  }

  void restore(Snapshot s) {
    offset = s.index() + 1;
    entries = new ArrayList<>();
    snapshot = s;
  }

  /** Appends, discarding any held entries at or after the first new index. */
  void truncateAndAppend(List<Entry> ents) {
    long after = ents.get(0).index();
    if (after == offset + entries.size()) {
      entries.addAll(ents);
    } else if (after <= offset) {
      // The new entries replace everything held here; storage truncates on persist.
      offset = after;
      entries = new ArrayList<>(ents);
    } else {
      ArrayList<Entry> kept = new ArrayList<>(entries.subList(0, (int) (after - offset)));
      kept.addAll(ents);
      entries = kept;
    }
  }

  List<Entry> slice(long lo, long hi) {
    return entries.subList((int) (lo - offset), (int) (hi - offset));
  }
}
