package io.flotilla.raft;

import java.util.List;

/**
 * Everything a member asks its driver to do, as one immutable batch. The driver handles a Ready
 * in exactly this order, then calls {@link RaftNode#advance(Ready)}:
 *
 * <ol>
 *   <li><b>Persist</b> {@link #snapshot()} (if any), then {@link #entries()} (appending after
 *       discarding any stored entries at or after the first one's index), then
 *       {@link #hardState()} (if any), durably when {@link #mustSync()} is true. Many groups may
 *       share one write and one fsync.
 *   <li><b>Send</b> {@link #messagesAfterPersist()}, only once step 1 is durable: they promise
 *       votes and log contents that a crash must not take back. {@link #messages()} carry no
 *       such promise and may be sent before or during step 1 (a leader replicates while it
 *       writes its own log).
 *   <li><b>Apply</b> {@link #committedEntries()} in order to the state machine (for a
 *       {@link EntryType#CONF_CHANGE} entry, call {@link RaftNode#applyConfChange}); serve each
 *       {@link #readStates()} entry once the applied index reaches its index.
 *   <li><b>Advance</b>: {@link RaftNode#advance(Ready)} with this same object.
 * </ol>
 *
 * @param softState the new leader and role, or {@code null} if unchanged
 * @param hardState the hard state to persist, or {@code null} if unchanged
 * @param entries log entries to persist
 * @param snapshot a snapshot to persist and install, or {@code null}
 * @param committedEntries entries to apply, all at or below the persisted log after step 1
 * @param messages messages that may be sent at once
 * @param messagesAfterPersist messages that may only be sent after step 1 is durable
 * @param readStates confirmed linearizable reads
 * @param mustSync whether step 1 needs an fsync (new entries, term or vote)
 */
public record Ready(
    SoftState softState,
    HardState hardState,
    List<Entry> entries,
    Snapshot snapshot,
    List<Entry> committedEntries,
    List<Message> messages,
    List<Message> messagesAfterPersist,
    List<ReadState> readStates,
    boolean mustSync) {

  public Ready {
    entries = List.copyOf(entries);
    committedEntries = List.copyOf(committedEntries);
    messages = List.copyOf(messages);
    messagesAfterPersist = List.copyOf(messagesAfterPersist);
    readStates = List.copyOf(readStates);
  }

  /** Index of the last committed entry handed out here, or 0 if none. */
  public long lastCommittedIndex() {
    return committedEntries.isEmpty() ? 0 : committedEntries.get(committedEntries.size() - 1)
        .index();
  }
}
