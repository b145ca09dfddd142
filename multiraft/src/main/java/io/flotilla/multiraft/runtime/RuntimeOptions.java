package io.flotilla.multiraft.runtime;

/**
 * Settings of a store runtime.
 *
 * @param tickMillis the period of the one ticker that drives every replica's Raft clock
 * @param electionTicks Raft election timeout, in ticks
 * @param quiesceAfterTicks a leader whose range stayed idle and caught up this long goes quiet
 * @param inboxCapacity bound on queued work (messages, proposals, reads); beyond it proposals
 *     fail fast and messages are dropped (Raft retransmits)
 * @param logCompactEntries a range's Raft log is compacted once its applied index is this many
 *     entries ahead of the log's start; a quarter of it stays as a tail for slow followers
 * @param logCompactBytes ... or once this many bytes of entries were applied since the last
 *     compaction; then even a lagging follower's entries go (it gets a snapshot)
 */
public record RuntimeOptions(int tickMillis, int electionTicks, int quiesceAfterTicks,
    int inboxCapacity, int logCompactEntries, long logCompactBytes) {
  public static final int DEFAULT_LOG_COMPACT_ENTRIES = 10_000;
  public static final long DEFAULT_LOG_COMPACT_BYTES = 64L << 20;
  public static final RuntimeOptions DEFAULTS = new RuntimeOptions(100, 10, 3, 100_000);

  public RuntimeOptions {
    if (tickMillis < 1 || electionTicks < 2 || quiesceAfterTicks < 1 || inboxCapacity < 1
        || logCompactEntries < 4 || logCompactBytes < 1) {
      throw new IllegalArgumentException("bad runtime options: tick " + tickMillis
          + " ms, election " + electionTicks + " ticks, quiesce after " + quiesceAfterTicks
          + ", inbox " + inboxCapacity + ", compact the log after " + logCompactEntries
          + " entries (>= 4) or " + logCompactBytes + " bytes (>= 1)");
    }
  }

  /** With the default log compaction thresholds. */
  public RuntimeOptions(int tickMillis, int electionTicks, int quiesceAfterTicks,
      int inboxCapacity) {
    this(tickMillis, electionTicks, quiesceAfterTicks, inboxCapacity,
        DEFAULT_LOG_COMPACT_ENTRIES, DEFAULT_LOG_COMPACT_BYTES);
  }

  public RuntimeOptions withLogCompaction(int entries, long bytes) {
    return new RuntimeOptions(tickMillis, electionTicks, quiesceAfterTicks, inboxCapacity,
        entries, bytes);
  }
}
