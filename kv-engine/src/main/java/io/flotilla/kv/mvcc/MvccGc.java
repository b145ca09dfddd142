package io.flotilla.kv.mvcc;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import java.util.Arrays;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Removes versions that no read at or above a safe point can see. For each key it keeps every
 * write record newer than the safe point and the newest PUT at or below it (what a read at the
 * safe point returns); older records go, and so does a DELETE at or below the safe point with
 * everything older (a read then finds no version, which means the same). Rollback and lock
 * records at or below the safe point go too: prewrites at or below it are refused. Locks are
 * never touched. The new safe point is recorded in the same batch, so that no reader sees the
 * deletions without also seeing that reads below the safe point are refused.
 *
 * <p>A lock whose start ts is at or below the safe point must be resolved before collecting (as
 * TiKV's GC worker does), because GC may remove the commit record of such a lock's primary,
 * after which its fate cannot be told: collection refuses with {@link MvccException.KeyLocked}
 * naming it.
 */
public final class MvccGc {
  private final View view;
  private final Batch out;

  /** Reads through {@code view} and adds the deletions to {@code out}, like {@link MvccWriter}. */
  public MvccGc(Store store, ReadOptions view, WriteBatch out) {
    this.view = new View(store, view);
    this.out = new Batch(store, out);
  }

  /**
   * Collects at most {@code maxKeys} user keys of [{@code start}, {@code end}) (an empty end:
   * no upper bound) at {@code safePoint}, which may not be below the recorded one. Bounding the
   * keys bounds the batch; continue at {@link GcResult#resumeKey}.
   */
  public GcResult gc(byte[] start, byte[] end, long safePoint, int maxKeys) {
    check(safePoint, maxKeys);
    refuseLockAtOrBelow(start, end, safePoint);
    long recorded = SafePoint.read(view);
    if (safePoint < recorded) {
      throw new IllegalArgumentException("the GC safe point cannot move back from " + recorded
          + " to " + safePoint);
    }
    if (safePoint > recorded) {
      SafePoint.record(out, safePoint);
    }
    return collect(start, end, safePoint, maxKeys);
  }

  /**
   * Like {@link #gc} for a caller that keeps the safe point itself (a range, in its replicated
   * state, so that each range's replicas refuse reads and prewrites below it alike): nothing is
   * recorded in the store, and the caller refuses reads below {@code safePoint} from now on.
   */
  public GcResult gcOwnSafePoint(byte[] start, byte[] end, long safePoint, int maxKeys) {
    check(safePoint, maxKeys);
    refuseLockAtOrBelow(start, end, safePoint);
    return collect(start, end, safePoint, maxKeys);
  }

  private static void check(long safePoint, int maxKeys) {
    Timestamps.check("safe point", safePoint);
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1, not " + maxKeys);
    }
  }

  private GcResult collect(byte[] start, byte[] end, long safePoint, int maxKeys) {
    byte[] encodedEnd = end.length == 0 ? null : MvccKeys.encodeUserKey(end);
    long keys = 0;
    long writesRemoved = 0;
    long dataRemoved = 0;
    try (RocksIterator it = view.iterator(Cf.WRITE)) {
      byte[] key = null;
      boolean removing = false;
      for (it.seek(MvccKeys.encodeUserKey(start)); it.isValid(); it.next()) {
        byte[] versionKey = it.key();
        if (encodedEnd != null && Arrays.compareUnsigned(versionKey, encodedEnd) >= 0) {
          break;
        }
        if (key == null || !MvccKeys.isVersionOf(versionKey, key)) {
          key = MvccKeys.userPart(versionKey);
          if (keys == maxKeys) {
            return new GcResult(keys, writesRemoved, dataRemoved, MvccKeys.decodeUserKey(key));
          }
          keys++;
          removing = false;
        }
        if (MvccKeys.timestamp(versionKey) > safePoint) {
          continue;
        }
        Write w = Write.decode(it.value());
        if (!removing && w.kind() == Write.Kind.PUT) {
          removing = true;
          continue;
        }
        removing |= w.isData();
        out.delete(Cf.WRITE, versionKey);
        writesRemoved++;
        if (w.hasDataRecord()) {
          out.delete(Cf.DATA, MvccKeys.version(key, w.startTs()));
          dataRemoved++;
        }
      }
      view.checkStatus(it, Cf.WRITE);
    }
    return new GcResult(keys, writesRemoved, dataRemoved, null);
  }

  /**
   * Refuses to collect while a transaction that started at or below the safe point still holds
   * a lock in the span: collecting could remove the commit record its resolution needs. The
   * caller resolves the lock it is told about and asks again.
   */
  private void refuseLockAtOrBelow(byte[] start, byte[] end, long safePoint) {
    byte[] encodedEnd = end.length == 0 ? null : MvccKeys.encodeUserKey(end);
    try (RocksIterator it = view.iterator(Cf.LOCK)) {
      for (it.seek(MvccKeys.encodeUserKey(start)); it.isValid(); it.next()) {
        if (encodedEnd != null && Arrays.compareUnsigned(it.key(), encodedEnd) >= 0) {
          break;
        }
        Lock lock = Lock.decode(it.value());
        if (lock.startTs() <= safePoint) {
          throw new MvccException.KeyLocked(MvccKeys.decodeUserKey(it.key()), lock);
        }
      }
      view.checkStatus(it, Cf.LOCK);
    }
  }
}
