package io.flotilla.kv.mvcc;

/**
 * An MVCC operation was refused for a reason the transaction layer acts on (wait, resolve,
 * retry, abort). Whenever one is thrown, the operation has added nothing to its write batch.
 */
public abstract sealed class MvccException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  MvccException(String message) {
    super(message);
  }

  /** Another transaction's lock is on the key: resolve it (see {@link MvccWriter}) or wait. */
  public static final class KeyLocked extends MvccException {
    private static final long serialVersionUID = 1L;
    private final byte[] key;
    private final Lock lock;

    KeyLocked(byte[] key, Lock lock) {
      super("key " + MvccKeys.show(key) + " is locked: " + lock);
      this.key = key;
      this.lock = lock;
    }

    public byte[] key() {
      return key;
    }

    public Lock lock() {
      return lock;
    }
  }

  /** A transaction committed the key after this one started: this one must restart. */
  public static final class WriteConflict extends MvccException {
    private static final long serialVersionUID = 1L;
    private final long conflictCommitTs;

    WriteConflict(byte[] key, long startTs, long conflictStartTs, long conflictCommitTs) {
      super("write conflict on key " + MvccKeys.show(key) + ": txn " + startTs + " lost to txn "
          + conflictStartTs + " committed at " + conflictCommitTs);
      this.conflictCommitTs = conflictCommitTs;
    }

    public long conflictCommitTs() {
      return conflictCommitTs;
    }
  }

  /** The transaction was rolled back on this key; it can never commit. */
  public static final class TxnAborted extends MvccException {
    private static final long serialVersionUID = 1L;

    TxnAborted(byte[] key, long startTs) {
      super("txn " + startTs + " was rolled back on key " + MvccKeys.show(key));
    }
  }

  /** A rollback or heartbeat was asked for a transaction that has committed on this key. */
  public static final class TxnCommitted extends MvccException {
    private static final long serialVersionUID = 1L;
    private final long commitTs;

    TxnCommitted(byte[] key, long startTs, long commitTs) {
      super("txn " + startTs + " committed key " + MvccKeys.show(key) + " at " + commitTs
          + " already");
      this.commitTs = commitTs;
    }

    public long commitTs() {
      return commitTs;
    }
  }

  /** A commit found neither the transaction's lock nor its outcome on the key. */
  public static final class TxnNotFound extends MvccException {
    private static final long serialVersionUID = 1L;

    TxnNotFound(byte[] key, long startTs) {
      super("txn " + startTs + " has no lock and no write record on key " + MvccKeys.show(key)
          + ": it never prewrote the key, or its record was collected below the GC safe point");
    }
  }

  /** The timestamp is too old for the GC safe point: records it needs may be gone. */
  public static final class BelowSafePoint extends MvccException {
    private static final long serialVersionUID = 1L;
    private final long safePoint;

    BelowSafePoint(String message, long safePoint) {
      super(message);
      this.safePoint = safePoint;
    }

    public long safePoint() {
      return safePoint;
    }
  }
}
