package io.flotilla.raft;

/** What an entry's payload means. */
public enum EntryType {
  /** An application command, or an empty no-op appended by a new leader. */
  NORMAL,
  /** An encoded {@link ConfChange}; the application applies it with {@code applyConfChange}. */
  CONF_CHANGE
}
