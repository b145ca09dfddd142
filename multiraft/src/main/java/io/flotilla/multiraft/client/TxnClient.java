package io.flotilla.multiraft.client;

import io.flotilla.multiraft.proto.LockInfoPb;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Transactions over a cluster (snapshot isolation, Percolator's two-phase commit on the
 * placement driver's timestamps). Thread-safe; one per application is enough. It shares the
 * {@link KvClient}'s connections and range cache, and does not close it.
 */
public final class TxnClient implements AutoCloseable {
  private final TxnRpc rpc;
  private final TxnOptions options;
  private final ScheduledExecutorService background;

  public TxnClient(KvClient kv, TimestampSource tso) {
    this(kv, tso, TxnOptions.defaults());
  }

  public TxnClient(KvClient kv, TimestampSource tso, TxnOptions options) {
    this.rpc = new TxnRpc(kv.router(), tso, options);
    this.options = options;
    this.background = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "txn-background");
      t.setDaemon(true);
      return t;
    });
  }

  /** A new transaction, reading as of a fresh timestamp. */
  public Transaction begin() {
    return new Transaction(rpc, background, rpc.timestamp("start of a transaction"));
  }

  /**
   * Runs {@code body} in a transaction and commits it; runs it again, in a new transaction and
   * after a short pause, while it fails with a retryable {@link TxnException}, up to the
   * options' attempts. {@code body} must have no effects outside the transaction.
   */
  public <T> T run(Function<Transaction, T> body) {
    for (int attempt = 1; ; attempt++) {
      Transaction txn = begin();
      try {
        T result = body.apply(txn);
        txn.commit();
        return result;
      } catch (TxnException e) {
        txn.rollback();
        if (!e.retryable() || attempt >= options.maxAttempts()) {
          throw e;
        }
        pause(attempt);
      } catch (RuntimeException e) {
        txn.rollback();
        throw e;
      }
    }
  }

  /**
   * Settles another transaction's lock on {@code lock.key} as its primary decides: commits the
   * key if the transaction committed, rolls it back if it was rolled back or its locks expired,
   * and waits for a live one up to the lock wait (then throws {@link TxnException.Kind#LOCKED}).
   * For the GC, which must not let an abandoned lock hold its safe point back; readers and
   * writers of this client resolve the locks they meet themselves.
   */
  public void resolveLock(LockInfoPb lock) {
    TxnRpc.LockWait wait = rpc.new LockWait();
    while (!rpc.resolve(lock, wait, "resolving a lock")) {
      // a live transaction: resolve pauses, then ask its primary again
    }
  }

  private static void pause(int attempt) {
    long cap = Math.min(500, 5L << Math.min(attempt, 10));
    try {
      Thread.sleep(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TxnException(TxnException.Kind.UNAVAILABLE, "interrupted between attempts", e);
    }
  }

  @Override
  public void close() {
    background.shutdown();
  }
}
