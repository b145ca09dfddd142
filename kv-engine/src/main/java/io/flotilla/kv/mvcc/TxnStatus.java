package io.flotilla.kv.mvcc;

/** A transaction's fate as its primary key tells it; see {@link MvccWriter#checkTxnStatus}. */
public sealed interface TxnStatus {
  /** Committed at {@code commitTs}: its other locks are to be committed at the same ts. */
  record Committed(long commitTs) implements TxnStatus {}

  /** Rolled back (now or earlier): its other locks are to be rolled back. */
  record RolledBack() implements TxnStatus {}

  /** Still running: its primary lock is alive until its TTL runs out. */
  record Locked(Lock lock) implements TxnStatus {}
}
