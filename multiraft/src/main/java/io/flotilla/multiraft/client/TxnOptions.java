package io.flotilla.multiraft.client;

import java.time.Duration;

/**
 * Settings of a {@link TxnClient}, validated once.
 *
 * @param lockTtl how long after its start a transaction's locks count as abandoned unless it
 *     sends heartbeats (it does while it commits): a reader that finds such a lock rolls the
 *     transaction back
 * @param lockWait how long a read or a prewrite waits for a live lock of another transaction
 *     before giving up with a retryable {@link TxnException}; it also breaks deadlocks between
 *     writers, each waiting for the other's lock
 * @param maxAttempts attempts of {@link TxnClient#run}, the first included
 */
public record TxnOptions(Duration lockTtl, Duration lockWait, int maxAttempts) {
  public TxnOptions {
    if (lockTtl == null || lockTtl.toMillis() < 100 || lockWait == null || lockWait.isNegative()
        || maxAttempts < 1) {
      throw new IllegalArgumentException("bad transaction options: lockTtl " + lockTtl
          + " (at least 100 ms), lockWait " + lockWait + ", maxAttempts " + maxAttempts);
    }
  }

  /** Locks live 3 s without heartbeats; a live lock is waited for up to 2 s; 10 attempts. */
  public static TxnOptions defaults() {
    return new TxnOptions(Duration.ofSeconds(3), Duration.ofSeconds(2), 10);
  }

  public TxnOptions withLockTtl(Duration d) {
    return new TxnOptions(d, lockWait, maxAttempts);
  }

  public TxnOptions withLockWait(Duration d) {
    return new TxnOptions(lockTtl, d, maxAttempts);
  }
}
