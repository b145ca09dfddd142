package io.flotilla.kv.crash;

import io.flotilla.kv.GroupLog;
import io.flotilla.kv.LogEntry;
import io.flotilla.kv.RaftHardState;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.TruncatedState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One group's log reduced to what identifies it: where it begins (and which batch's snapshot put
 * it there), the (term, batch id) of every entry, and the hard state. The crash test keeps one
 * per group as the acknowledgements describe it and compares it with one {@link #read} back
 * from disk; entry payloads are checked byte for byte while reading.
 */
final class GroupModel {
  private final long group;
  private long truncIndex;
  private long truncTerm;
  /** The batch whose snapshot set the truncated state; 0 if the log was never truncated. */
  private long truncBatch;
  /** {term, batch id} of entry {@code truncIndex + 1 + i}. */
  private final ArrayList<long[]> entries = new ArrayList<>();
  private RaftHardState hardState = RaftHardState.EMPTY;

  GroupModel(long group) {
    this.group = group;
  }

  GroupModel copy() {
    GroupModel c = new GroupModel(group);
    c.truncIndex = truncIndex;
    c.truncTerm = truncTerm;
    c.truncBatch = truncBatch;
    c.entries.addAll(entries);
    c.hardState = hardState;
    return c;
  }

  long lastIndex() {
    return truncIndex + entries.size();
  }

  int entryCount() {
    return entries.size();
  }

  /** Applies one group's part of a batch, as {@link RaftLogStore#commit} would. */
  void apply(BatchPlan.Part p, long batchId) {
    if (p.snapshot() != null) {
      truncIndex = p.snapshot().index();
      truncTerm = p.snapshot().term();
      truncBatch = batchId;
      entries.clear();
    }
    if (p.entries() != null) {
      long first = p.entries().first();
      if (first <= truncIndex || first > lastIndex() + 1) {
        throw new IllegalStateException("group " + group + ": batch " + batchId
            + " appends at " + first + " to a log of (" + truncIndex + ", " + lastIndex() + "]");
      }
      entries.subList((int) (first - truncIndex - 1), entries.size()).clear();
      for (long i = first; i <= p.entries().last(); i++) {
        entries.add(new long[] {p.entries().term(), batchId});
      }
    }
    if (p.hardState() != null) {
      hardState = p.hardState();
    }
  }

  /**
   * Reads a group back through the public API, checking every entry's payload against the
   * (group, index, term) it is stored under.
   *
   * @throws AssertionError naming the entry if a payload is corrupt, partial or misplaced
   */
  static GroupModel read(RaftLogStore log, long group) {
    GroupLog gl = log.group(group);
    GroupModel m = new GroupModel(group);
    TruncatedState t = gl.truncatedState();
    m.truncIndex = t.index();
    m.truncTerm = t.term();
    if (t.membership().length == 8) {
      m.truncBatch = ByteBuffer.wrap(t.membership()).getLong();
    } else if (t.membership().length != 0) {
      throw new AssertionError("group " + group + ": truncated state has a membership of "
          + t.membership().length + " bytes; the writer only writes 8");
    }
    m.hardState = gl.hardState();
    if (gl.firstIndex() != t.index() + 1) {
      throw new AssertionError("group " + group + ": first index " + gl.firstIndex()
          + " does not follow the truncated index " + t.index());
    }
    List<LogEntry> es = gl.entries(gl.firstIndex(), gl.lastIndex() + 1, Long.MAX_VALUE);
    if (es.size() != gl.lastIndex() - t.index()) {
      throw new AssertionError("group " + group + ": read " + es.size() + " entries of ("
          + t.index() + ", " + gl.lastIndex() + "]");
    }
    for (LogEntry e : es) {
      EntryData.Origin o;
      try {
        o = EntryData.decode(e.data());
      } catch (IllegalStateException bad) {
        throw new AssertionError("group " + group + ": entry " + e.index() + " (term "
            + e.term() + "): " + bad.getMessage(), bad);
      }
      if (o.group() != group || o.index() != e.index() || o.term() != e.term()
          || e.type() != EntryData.type(group, e.index(), e.term(), o.batchId())) {
        throw new AssertionError("group " + group + ": entry " + e.index() + " of term "
            + e.term() + " and type " + e.type() + " holds the payload of " + o);
      }
      m.entries.add(new long[] {e.term(), o.batchId()});
    }
    return m;
  }

  /** The first difference between this (expected) and {@code actual}, or null if equal. */
  String diff(GroupModel actual) {
    if (truncIndex != actual.truncIndex || truncTerm != actual.truncTerm
        || truncBatch != actual.truncBatch) {
      return "truncated at " + truncIndex + "@" + truncTerm + " by batch " + truncBatch
          + " expected, " + actual.truncIndex + "@" + actual.truncTerm + " by batch "
          + actual.truncBatch + " found";
    }
    if (!hardState.equals(actual.hardState)) {
      return "hard state " + hardState + " expected, " + actual.hardState + " found";
    }
    for (int i = 0; i < Math.min(entries.size(), actual.entries.size()); i++) {
      long[] a = entries.get(i);
      long[] b = actual.entries.get(i);
      if (a[0] != b[0] || a[1] != b[1]) {
        return "entry " + (truncIndex + 1 + i) + " of term " + a[0] + " from batch " + a[1]
            + " expected, term " + b[0] + " from batch " + b[1] + " found";
      }
    }
    if (entries.size() != actual.entries.size()) {
      return "last index " + lastIndex() + " expected, " + actual.lastIndex() + " found";
    }
    return null;
  }
}
