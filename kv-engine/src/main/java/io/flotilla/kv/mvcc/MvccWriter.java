package io.flotilla.kv.mvcc;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteBatch;

/**
 * Percolator's write side. Each operation reads the current state through the caller's view,
 * decides, and adds its mutations to the caller's {@link WriteBatch}; it never writes to the
 * store itself, because the batch is applied from a committed Raft command (unsynced: the raft
 * log is what is durable). Each operation first checks every key and only then adds anything,
 * so an operation refused with an {@link MvccException} has added nothing.
 *
 * <p>The caller serializes operations on the same keys (latches) and makes each operation's view
 * include the effects of earlier ones: a view does not see a batch that is not yet applied. One
 * {@code MvccWriter} serves one batch and one view.
 */
public final class MvccWriter {
  /**
   * A PUT value up to this size is inlined in its lock and write record: no DATA record. Above
   * TiKV's 255 bytes so that the common small row (a few hundred bytes) costs one record per
   * version, not two; the record format takes any length, so data written under either limit
   * reads the same.
   */
  static final int SHORT_VALUE_MAX_BYTES = 512;

  private final MvccReader reader;
  private final View view;
  private final Batch out;
  private final StoreOptions limits;

  public MvccWriter(Store store, ReadOptions view, WriteBatch out) {
    this.view = new View(store, view);
    this.reader = new MvccReader(this.view);
    this.out = new Batch(store, out);
    this.limits = store.options();
  }

  /**
   * A writer that refuses what lies below its caller's GC safe point (a range's, replicated
   * through its log, so that every replica refuses alike) rather than the store's record.
   */
  public MvccWriter(Store store, ReadOptions view, WriteBatch out, long safePoint) {
    if (safePoint < 0) {
      throw new IllegalArgumentException("a GC safe point is never negative: " + safePoint);
    }
    this.view = new View(store, view);
    this.reader = new MvccReader(this.view, safePoint);
    this.out = new Batch(store, out);
    this.limits = store.options();
  }

  /**
   * Locks every key of {@code mutations} for transaction {@code startTs}, whose primary key is
   * {@code primary}. Fails with {@link MvccException.KeyLocked} if another transaction holds a
   * lock, {@link MvccException.WriteConflict} if a transaction committed a key after {@code
   * startTs}, {@link MvccException.TxnAborted} if this transaction was already rolled back on a
   * key. A key this transaction already locked or committed is skipped: prewrite is idempotent.
   */
  public void prewrite(List<Mutation> mutations, byte[] primary, long startTs, long ttlMillis) {
    Timestamps.check("start ts", startTs);
    if (ttlMillis < 0) {
      throw new IllegalArgumentException("lock TTL must not be negative: " + ttlMillis);
    }
    checkKeySize(primary);
    SafePoint.checkPrewrite(startTs, reader.safePoint());
    Set<ByteBuffer> seen = new HashSet<>();
    List<Mutation> toLock = new ArrayList<>();
    for (Mutation m : mutations) {
      checkKeySize(m.key());
      if (m.value() != null && m.value().length > limits.maxValueBytes()) {
        throw new IllegalArgumentException("value of " + m.value().length + " bytes exceeds"
            + " the limit maxValueBytes=" + limits.maxValueBytes());
      }
      if (!seen.add(ByteBuffer.wrap(m.key()))) {
        throw new IllegalArgumentException("key " + MvccKeys.show(m.key())
            + " appears twice in one prewrite");
      }
      if (needsLock(m.key(), startTs)) {
        toLock.add(m);
      }
    }
    for (Mutation m : toLock) {
      byte[] key = MvccKeys.encodeUserKey(m.key());
      byte[] shortValue = null;
      if (m.kind() == Mutation.Kind.PUT && m.value().length <= SHORT_VALUE_MAX_BYTES) {
        shortValue = m.value();
      } else if (m.kind() == Mutation.Kind.PUT) {
        out.put(Cf.DATA, MvccKeys.version(key, startTs), m.value());
      }
      out.put(Cf.LOCK, key, new Lock(m.kind(), primary, startTs, ttlMillis, shortValue).encode());
    }
  }

  /**
   * Turns the locks of transaction {@code startTs} on {@code keys} into write records at
   * {@code commitTs}. A key already committed by this transaction is fine (retries); one it
   * rolled back fails with {@link MvccException.TxnAborted}; one without its lock or outcome
   * fails with {@link MvccException.TxnNotFound}.
   */
  public void commit(List<byte[]> keys, long startTs, long commitTs) {
    Timestamps.check("start ts", startTs);
    if (commitTs <= startTs) {
      throw new IllegalArgumentException("commit ts " + commitTs + " must be after start ts "
          + startTs);
    }
    List<byte[]> toCommit = new ArrayList<>();
    List<Lock> locks = new ArrayList<>();
    for (byte[] userKey : keys) {
      byte[] key = MvccKeys.encodeUserKey(userKey);
      Lock lock = reader.lock(key);
      if (lock != null && lock.startTs() == startTs) {
        toCommit.add(key);
        locks.add(lock);
        continue;
      }
      VersionedWrite done = reader.outcome(key, startTs);
      if (done == null) {
        throw new MvccException.TxnNotFound(userKey, startTs);
      }
      if (done.write().kind() == Write.Kind.ROLLBACK) {
        throw new MvccException.TxnAborted(userKey, startTs);
      }
    }
    for (int i = 0; i < toCommit.size(); i++) {
      Lock lock = locks.get(i);
      out.delete(Cf.LOCK, toCommit.get(i));
      out.put(Cf.WRITE, MvccKeys.version(toCommit.get(i), commitTs),
          new Write(Write.Kind.of(lock.kind()), startTs, lock.shortValue()).encode());
    }
  }

  /**
   * Rolls transaction {@code startTs} back on {@code keys}: removes its locks and data and
   * leaves a rollback record, so that a prewrite arriving late is refused. Keys without its lock
   * get the rollback record too. Fails with {@link MvccException.TxnCommitted} if the
   * transaction committed a key; a key already rolled back is fine.
   */
  public void rollback(List<byte[]> keys, long startTs) {
    Timestamps.check("start ts", startTs);
    List<byte[]> toRollBack = new ArrayList<>();
    List<Lock> ownLocks = new ArrayList<>();
    for (byte[] userKey : keys) {
      byte[] key = MvccKeys.encodeUserKey(userKey);
      Lock lock = reader.lock(key);
      Lock own = lock != null && lock.startTs() == startTs ? lock : null;
      if (own == null && isRolledBack(userKey, key, startTs)) {
        continue;
      }
      toRollBack.add(key);
      ownLocks.add(own);
    }
    for (int i = 0; i < toRollBack.size(); i++) {
      rollbackKey(toRollBack.get(i), ownLocks.get(i), startTs);
    }
  }

  /**
   * Commits transaction {@code startTs} in one step at {@code commitTs}, with no locks: the
   * one-phase path for a transaction whose keys all live in one range, so that one Raft command
   * carries all of them. Refused as {@link #prewrite} refuses (another transaction's lock, a
   * commit after {@code startTs}, this transaction rolled back); refused, it added nothing. A
   * key this transaction already committed is skipped, so a retry is harmless; one it locked
   * (a prewrite of the two-phase path) is refused: a transaction takes one path.
   */
  public void commitOnePhase(List<Mutation> mutations, long startTs, long commitTs) {
    Timestamps.check("start ts", startTs);
    if (commitTs <= startTs) {
      throw new IllegalArgumentException("commit ts " + commitTs + " must be after start ts "
          + startTs);
    }
    SafePoint.checkPrewrite(startTs, reader.safePoint());
    Set<ByteBuffer> seen = new HashSet<>();
    List<Mutation> toWrite = new ArrayList<>();
    for (Mutation m : mutations) {
      checkKeySize(m.key());
      if (m.value() != null && m.value().length > limits.maxValueBytes()) {
        throw new IllegalArgumentException("value of " + m.value().length + " bytes exceeds"
            + " the limit maxValueBytes=" + limits.maxValueBytes());
      }
      if (!seen.add(ByteBuffer.wrap(m.key()))) {
        throw new IllegalArgumentException("key " + MvccKeys.show(m.key())
            + " appears twice in one commit");
      }
      Lock own = reader.lock(MvccKeys.encodeUserKey(m.key()));
      if (own != null && own.startTs() == startTs) {
        throw new IllegalArgumentException("key " + MvccKeys.show(m.key()) + " is prewritten"
            + " by transaction " + startTs + ": it commits in two phases, not one");
      }
      if (needsLock(m.key(), startTs)) {
        toWrite.add(m);
      }
    }
    for (Mutation m : toWrite) {
      byte[] key = MvccKeys.encodeUserKey(m.key());
      byte[] shortValue = null;
      if (m.kind() == Mutation.Kind.PUT && m.value().length <= SHORT_VALUE_MAX_BYTES) {
        shortValue = m.value();
      } else if (m.kind() == Mutation.Kind.PUT) {
        out.put(Cf.DATA, MvccKeys.version(key, startTs), m.value());
      }
      out.put(Cf.WRITE, MvccKeys.version(key, commitTs),
          new Write(Write.Kind.of(m.kind()), startTs, shortValue).encode());
    }
  }

  /**
   * Keeps transaction {@code startTs} alive: its primary lock's TTL (counted from its start)
   * becomes {@code ttlMillis} if that is longer. Returns the TTL the lock has now. Fails with
   * {@link MvccException.TxnCommitted}, {@link MvccException.TxnAborted} or {@link
   * MvccException.TxnNotFound} when the primary holds no lock of the transaction.
   */
  public long heartbeat(byte[] primary, long startTs, long ttlMillis) {
    Timestamps.check("start ts", startTs);
    byte[] key = MvccKeys.encodeUserKey(primary);
    Lock lock = reader.lock(key);
    if (lock == null || lock.startTs() != startTs) {
      VersionedWrite done = reader.outcome(key, startTs);
      if (done == null) {
        throw new MvccException.TxnNotFound(primary, startTs);
      }
      if (done.write().kind() == Write.Kind.ROLLBACK) {
        throw new MvccException.TxnAborted(primary, startTs);
      }
      throw new MvccException.TxnCommitted(primary, startTs, done.commitTs());
    }
    if (ttlMillis > lock.ttlMillis()) {
      out.put(Cf.LOCK, key, new Lock(lock.kind(), lock.primary(), startTs, ttlMillis,
          lock.shortValue()).encode());
      return ttlMillis;
    }
    return lock.ttlMillis();
  }

  /**
   * Decides the fate of transaction {@code startTs} from its primary key, at TSO time {@code
   * currentTs}: committed, rolled back, or still locked. A primary lock whose TTL has run out is
   * rolled back now. A primary with neither lock nor outcome gets a rollback record, so the
   * transaction can never commit: with parallel prewrites, call this only once the lock that
   * stopped you has expired, or a slow but live transaction is aborted. Below the GC safe
   * point an unknown outcome fails with {@link MvccException.BelowSafePoint}.
   */
  public TxnStatus checkTxnStatus(byte[] primary, long startTs, long currentTs) {
    Timestamps.check("start ts", startTs);
    byte[] key = MvccKeys.encodeUserKey(primary);
    Lock lock = reader.lock(key);
    if (lock != null && lock.startTs() == startTs) {
      if (!lock.isExpired(currentTs)) {
        return new TxnStatus.Locked(lock);
      }
      rollbackKey(key, lock, startTs);
      return new TxnStatus.RolledBack();
    }
    VersionedWrite done = reader.outcome(key, startTs);
    if (done != null) {
      return done.write().kind() == Write.Kind.ROLLBACK ? new TxnStatus.RolledBack()
          : new TxnStatus.Committed(done.commitTs());
    }
    // Below the safe point a commit record may have been collected: "no outcome" could be a
    // commit, and rolling back its secondaries would lose it.
    SafePoint.check("status check of txn", startTs, reader.safePoint());
    checkNoClash(primary, key, startTs);
    rollbackKey(key, null, startTs);
    return new TxnStatus.RolledBack();
  }

  /** Settles a secondary key of transaction {@code startTs} as its primary's status says. */
  public void resolve(byte[] key, long startTs, TxnStatus status) {
    switch (status) {
      case TxnStatus.Committed c -> commit(List.of(key), startTs, c.commitTs());
      case TxnStatus.RolledBack r -> rollback(List.of(key), startTs);
      case TxnStatus.Locked l -> throw new IllegalArgumentException(
          "cannot resolve a key of a live transaction (" + l.lock() + ")");
    }
  }

  /**
   * Writes a single-key change committed at {@code ts} in one step, with no lock: the one-phase
   * path for a write that needs no transaction (a plain put or delete, or a transaction whose
   * keys all live in one range and commit in one Raft command). Fails with
   * {@link MvccException.KeyLocked} if a transaction holds a lock on the key, and with
   * {@link MvccException.WriteConflict} if a write at or after {@code ts} exists.
   */
  public void writeCommitted(Mutation m, long ts) {
    write(m, ts, true);
  }

  /**
   * {@link #writeCommitted} for a caller that guarantees {@code ts} is above every version the
   * key has (a range applying its own commands, whose timestamps it keeps increasing): the
   * search for a newer write, a seek per key and the bulk of the cost, is skipped. A lock is
   * still refused.
   */
  public void writeNewest(Mutation m, long ts) {
    write(m, ts, false);
  }

  private void write(Mutation m, long ts, boolean checkNewer) {
    Timestamps.check("commit ts", ts);
    checkKeySize(m.key());
    if (m.value() != null && m.value().length > limits.maxValueBytes()) {
      throw new IllegalArgumentException("value of " + m.value().length + " bytes exceeds"
          + " the limit maxValueBytes=" + limits.maxValueBytes());
    }
    SafePoint.checkPrewrite(ts, reader.safePoint());
    byte[] key = MvccKeys.encodeUserKey(m.key());
    Lock lock = reader.lock(key);
    if (lock != null) {
      throw new MvccException.KeyLocked(m.key(), lock);
    }
    if (checkNewer) {
      for (VersionedWrite w : reader.writesSince(key, ts)) {
        if (w.write().kind() != Write.Kind.ROLLBACK) {
          throw new MvccException.WriteConflict(m.key(), ts, w.write().startTs(), w.commitTs());
        }
      }
    }
    byte[] shortValue = null;
    if (m.kind() == Mutation.Kind.PUT && m.value().length <= SHORT_VALUE_MAX_BYTES) {
      shortValue = m.value();
    } else if (m.kind() == Mutation.Kind.PUT) {
      out.put(Cf.DATA, MvccKeys.version(key, ts), m.value());
    }
    out.put(Cf.WRITE, MvccKeys.version(key, ts),
        new Write(Write.Kind.of(m.kind()), ts, shortValue).encode());
  }

  /** Whether the key needs a new lock: false if this transaction already locked or wrote it. */
  private boolean needsLock(byte[] userKey, long startTs) {
    byte[] key = MvccKeys.encodeUserKey(userKey);
    Lock lock = reader.lock(key);
    if (lock != null) {
      if (lock.startTs() == startTs) {
        return false;
      }
      throw new MvccException.KeyLocked(userKey, lock);
    }
    VersionedWrite conflict = null;
    for (VersionedWrite w : reader.writesSince(key, startTs)) {
      if (w.write().startTs() == startTs) {
        if (w.write().kind() == Write.Kind.ROLLBACK) {
          throw new MvccException.TxnAborted(userKey, startTs);
        }
        return false;
      }
      // Other transactions' rollbacks wrote nothing, so they cannot conflict.
      if (conflict == null && w.write().kind() != Write.Kind.ROLLBACK) {
        conflict = w;
      }
    }
    if (conflict != null) {
      throw new MvccException.WriteConflict(userKey, startTs, conflict.write().startTs(),
          conflict.commitTs());
    }
    return true;
  }

  /** True if already rolled back; throws if committed; false if there is no outcome yet. */
  private boolean isRolledBack(byte[] userKey, byte[] key, long startTs) {
    VersionedWrite done = reader.outcome(key, startTs);
    if (done == null) {
      checkNoClash(userKey, key, startTs);
      return false;
    }
    if (done.write().kind() != Write.Kind.ROLLBACK) {
      throw new MvccException.TxnCommitted(userKey, startTs, done.commitTs());
    }
    return true;
  }

  /**
   * A rollback record lives at the version of the start ts. Another transaction's commit there
   * would mean the TSO handed out one timestamp twice; overwriting it would lose that commit.
   */
  private void checkNoClash(byte[] userKey, byte[] key, long startTs) {
    if (view.get(Cf.WRITE, MvccKeys.version(key, startTs)) != null) {
      throw new IllegalStateException("key " + MvccKeys.show(userKey) + " has a commit at ts "
          + startTs + ", which is also a start ts: TSO timestamps must be unique");
    }
  }

  private void rollbackKey(byte[] key, Lock ownLock, long startTs) {
    if (ownLock != null) {
      out.delete(Cf.LOCK, key);
      if (ownLock.kind() == Mutation.Kind.PUT && ownLock.shortValue() == null) {
        out.delete(Cf.DATA, MvccKeys.version(key, startTs));
      }
    }
    out.put(Cf.WRITE, MvccKeys.version(key, startTs),
        new Write(Write.Kind.ROLLBACK, startTs, null).encode());
  }

  private void checkKeySize(byte[] key) {
    if (key.length > limits.maxKeyBytes()) {
      throw new IllegalArgumentException("key of " + key.length + " bytes exceeds the limit"
          + " maxKeyBytes=" + limits.maxKeyBytes());
    }
  }
}
