package io.flotilla.multiraft.runtime;

/**
 * Why a range refused a request. Each says whether a retry elsewhere is safe: nothing of the
 * request was applied in any of these cases.
 */
public abstract sealed class RangeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RangeException(String message) {
    super(message, null, false, false);
  }

  /** This replica is not the leader; {@code leaderHint} is the leader's node id, or 0. */
  public static final class NotLeader extends RangeException {
    private static final long serialVersionUID = 1L;
    private final long leaderHint;
    private final transient RangeDescriptor descriptor;

    public NotLeader(RangeDescriptor descriptor, long leaderHint) {
      super("range " + descriptor.rangeId() + ": not the leader"
          + (leaderHint == 0 ? " (no leader known)" : "; leader is node " + leaderHint));
      this.leaderHint = leaderHint;
      this.descriptor = descriptor;
    }

    public long leaderHint() {
      return leaderHint;
    }

    public RangeDescriptor descriptor() {
      return descriptor;
    }
  }

  /** The key is not in this range (any more); {@code descriptor} is the current span. */
  public static final class KeyOutsideRange extends RangeException {
    private static final long serialVersionUID = 1L;
    private final transient RangeDescriptor descriptor;

    public KeyOutsideRange(RangeDescriptor descriptor) {
      super("key outside range " + descriptor);
      this.descriptor = descriptor;
    }

    public RangeDescriptor descriptor() {
      return descriptor;
    }
  }

  /** This node has no replica of the range. */
  public static final class RangeNotFound extends RangeException {
    private static final long serialVersionUID = 1L;

    public RangeNotFound(long rangeId) {
      super("range " + rangeId + " has no replica on this node");
    }

    /** The range is (being) merged away: {@code why} says into which range. */
    public RangeNotFound(long rangeId, String why) {
      super(why);
    }
  }

  /**
   * The proposal lost its place in the log to a leader change: it was certainly not applied.
   */
  public static final class ProposalDropped extends RangeException {
    private static final long serialVersionUID = 1L;

    public ProposalDropped(long rangeId, String why) {
      super("range " + rangeId + ": proposal dropped (" + why + "); it was not applied");
    }
  }
}
