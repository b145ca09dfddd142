package io.flotilla.raft;

/**
 * What the leader knows about one member's log, and how it is replicating to it:
 *
 * <ul>
 *   <li>PROBE: the member's log position is unknown; send one append at a time and wait for the
 *       answer (or a heartbeat response) before the next, backing off on rejection;
 *   <li>REPLICATE: the position is known; stream appends optimistically, up to a bounded window;
 *   <li>SNAPSHOT: the entries it needs are compacted; a snapshot is on its way, send nothing
 *       until it is reported delivered or failed.
 * </ul>
 */
final class Progress {
  enum State {
    PROBE,
    REPLICATE,
    SNAPSHOT
  }

  long match;
  long next;
  State state = State.PROBE;
  long pendingSnapshot;
  /** The commit index last sent in an append, so a caught-up member is told a newer one. */
  long sentCommit;
  /** Heard from within the current election timeout; CheckQuorum counts these. */
  boolean recentActive;
  /** In PROBE: an append is outstanding, so wait for its answer or a heartbeat response. */
  boolean probeSent;
  boolean learner;
  final Inflights inflights;

  Progress(long next, int maxInflight, boolean learner) {
    this.next = next;
    this.learner = learner;
    this.inflights = new Inflights(maxInflight);
  }

  private void resetState(State s) {
    probeSent = false;
    pendingSnapshot = 0;
    state = s;
    inflights.reset();
  }

  void becomeProbe() {
    if (state == State.SNAPSHOT) {
      long pending = pendingSnapshot;
      resetState(State.PROBE);
      next = Math.max(match + 1, pending + 1);
    } else {
      resetState(State.PROBE);
      next = match + 1;
    }
  }

  void becomeReplicate() {
    resetState(State.REPLICATE);
    next = match + 1;
  }

  void becomeSnapshot(long snapshotIndex) {
    resetState(State.SNAPSHOT);
    pendingSnapshot = snapshotIndex;
  }

  /** Records an acknowledgement of everything up to {@code index}; false if it was old news. */
  boolean maybeUpdate(long index) {
    boolean updated = false;
    if (match < index) {
      match = index;
      updated = true;
      probeSent = false;
    }
    next = Math.max(next, index + 1);
    return updated;
  }

  /**
   * Handles a rejected append at {@code rejected}, moving next back towards {@code matchHint}
   * (the follower's guess of its last possibly-matching entry). Returns false for a stale
   * rejection that says nothing new.
   */
  boolean maybeDecrTo(long rejected, long matchHint) {
    if (state == State.REPLICATE) {
      if (rejected <= match) {
        return false;
      }
      next = match + 1;
      return true;
    }
    if (next - 1 != rejected) {
      return false;
    }
    next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
    probeSent = false;
    return true;
  }

  boolean isPaused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflights.full();
      case SNAPSHOT -> true;
    };
  }

  void sentEntries(int count, long lastIndex) {
    if (count == 0) {
      return;
    }
    if (state == State.REPLICATE) {
      next = lastIndex + 1;
      inflights.add(lastIndex);
    } else if (state == State.PROBE) {
      probeSent = true;
    }
  }

  @Override
  public String toString() {
    return state.name().toLowerCase(java.util.Locale.ROOT) + " match=" + match + " next=" + next
        + (learner ? " learner" : "") + (isPaused() ? " paused" : "")
        + (pendingSnapshot > 0 ? " pendingSnap=" + pendingSnapshot : "");
  }
}
