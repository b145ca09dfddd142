package io.flotilla.multiraft.runtime;

/**
 * Settings of a store runtime.
 *
 * @param tickMillis the period of the one ticker that drives every replica's Raft clock
 * @param electionTicks Raft election timeout, in ticks
 * @param quiesceAfterTicks a leader whose range stayed idle and caught up this long goes quiet
 * @param inboxCapacity bound on queued work (messages, proposals, reads); beyond it proposals
 *     fail fast and messages are dropped (Raft retransmits)
 */
public record RuntimeOptions(int tickMillis, int electionTicks, int quiesceAfterTicks,
    int inboxCapacity) {
  public static final RuntimeOptions DEFAULTS = new RuntimeOptions(100, 10, 3, 100_000);

  public RuntimeOptions {
    if (tickMillis < 1 || electionTicks < 2 || quiesceAfterTicks < 1 || inboxCapacity < 1) {
      throw new IllegalArgumentException("bad runtime options: tick " + tickMillis
          + " ms, election " + electionTicks + " ticks, quiesce after " + quiesceAfterTicks
          + ", inbox " + inboxCapacity);
    }
  }
}
