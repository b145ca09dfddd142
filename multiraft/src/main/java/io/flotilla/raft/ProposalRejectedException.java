package io.flotilla.raft;

/**
 * A proposal, read or transfer was refused without entering the log. Retrying is safe: nothing
 * of it was recorded. Thrown on a hot path, so it carries no stack trace.
 */
public final class ProposalRejectedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the request was refused. */
  public enum Reason {
    /** This member is not the leader; {@link #leaderHint()} names the leader if known. */
    NOT_LEADER,
    /** A leadership transfer is in progress; retry at the new leader. */
    TRANSFERRING_LEADERSHIP,
    /** An earlier configuration change is not yet applied. */
    CONF_CHANGE_PENDING,
    /** The configuration change is not valid for the current configuration. */
    INVALID_CONF_CHANGE,
    /** Too many uncommitted bytes are in the log; back off until they commit. */
    TOO_MUCH_UNCOMMITTED
  }

  private final Reason reason;
  private final long leaderHint;

  public ProposalRejectedException(Reason reason, long leaderHint, String detail) {
    super(reason + (leaderHint == RaftNode.NONE ? "" : " (leader is " + leaderHint + ")")
        + (detail.isEmpty() ? "" : ": " + detail), null, false, false);
    this.reason = reason;
    this.leaderHint = leaderHint;
  }

  public Reason reason() {
    return reason;
  }

  /** The leader this member knows of, or {@link RaftNode#NONE}. */
  public long leaderHint() {
    return leaderHint;
  }
}
