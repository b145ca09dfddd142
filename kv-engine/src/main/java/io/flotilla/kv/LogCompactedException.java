package io.flotilla.kv;

/** A read asked for log entries that were compacted away (or replaced by a snapshot). */
public final class LogCompactedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LogCompactedException(long groupId, long index, long firstIndex) {
    super("group " + groupId + ": log index " + index + " is compacted; first index is "
        + firstIndex, null, false, false);
  }
}
