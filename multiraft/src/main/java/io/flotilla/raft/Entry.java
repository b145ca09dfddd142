package io.flotilla.raft;

import java.util.Arrays;

/**
 * One log entry. {@code data} is owned by the entry once constructed: callers must not mutate
 * the array afterwards (the core never does).
 *
 * @param term the leader term that created the entry
 * @param index the position in the log, starting at 1
 * @param type whether {@code data} is an application command or an encoded {@link ConfChange}
 * @param data the payload; empty for the no-op a new leader appends
 */
public record Entry(long term, long index, EntryType type, byte[] data) {
  private static final byte[] EMPTY = new byte[0];

  public Entry {
    if (data == null) {
      data = EMPTY;
    }
  }

  public static Entry normal(long term, long index, byte[] data) {
    return new Entry(term, index, EntryType.NORMAL, data);
  }

  /** Approximate bytes this entry costs in a message or in memory; used for size limits. */
  public long sizeBytes() {
    return data.length + 24L;
  }

  Entry withPosition(long newTerm, long newIndex) {
    return new Entry(newTerm, newIndex, type, data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e
        && e.term == term
        && e.index == index
        && e.type == type
        && Arrays.equals(e.data, data);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(term) * 31 + Long.hashCode(index);
  }

  @Override
  public String toString() {
    return term + "/" + index + (type == EntryType.CONF_CHANGE ? " conf" : "")
        + (data.length == 0 ? "" : " " + Bytes.printable(data));
  }
}
