package io.flotilla.multiraft.client;

/**
 * Why a transaction did not commit, and whether running it again may succeed. Every kind but
 * {@link Kind#AMBIGUOUS} means the transaction wrote nothing that anyone will ever see.
 */
public final class TxnException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** Another transaction committed a key this one writes after this one started. */
    CONFLICT(true),
    /** Another transaction's lock stayed in the way longer than the lock wait. */
    LOCKED(true),
    /** This transaction was rolled back by another (it was too slow: its locks expired). */
    ABORTED(true),
    /** The cluster could not be reached in time; nothing of this transaction committed. */
    UNAVAILABLE(true),
    /** The start timestamp is below the GC safe point: versions it would read may be gone. */
    TOO_OLD(true),
    /** The commit's outcome is unknown: its primary key's commit may or may not have applied. */
    AMBIGUOUS(false),
    /** A request that can never succeed (a key or value too large, say). */
    INVALID(false),
    /** The transaction was used after it committed or rolled back. */
    FINISHED(false);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }
  }

  private final Kind kind;

  public TxnException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** Whether the same work, in a new transaction, may succeed. */
  public boolean retryable() {
    return kind.retryable;
  }

  @Override
  public String getMessage() {
    return kind + ": " + super.getMessage();
  }
}
