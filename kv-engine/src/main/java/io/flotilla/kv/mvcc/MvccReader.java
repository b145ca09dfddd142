package io.flotilla.kv.mvcc;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;

/**
 * Snapshot reads at a timestamp through one consistent view of the store. A read at {@code
 * readTs} sees exactly the versions committed at or before {@code readTs}. If another
 * transaction's lock might hide such a version (its start ts is at or before {@code readTs}),
 * the read fails with {@link MvccException.KeyLocked} and the caller resolves the lock through
 * {@link MvccWriter#checkTxnStatus} and {@link MvccWriter#resolve}, then reads again. Reads
 * below the GC safe point fail with {@link MvccException.BelowSafePoint}.
 *
 * <p>Not thread-safe (it caches the safe point of its view); cheap to create per request.
 */
public final class MvccReader {
  private final View view;
  private long safePoint = -1;

  /**
   * @param view read options the caller owns, normally with a RocksDB snapshot so that all reads
   *     of one operation see one state
   */
  public MvccReader(Store store, ReadOptions view) {
    this(new View(store, view));
  }

  /**
   * A reader that takes the GC safe point from its caller (a range keeps its own, replicated
   * through its log) rather than from the store's record.
   */
  public MvccReader(Store store, ReadOptions view, long safePoint) {
    this(new View(store, view));
    if (safePoint < 0) {
      throw new IllegalArgumentException("a GC safe point is never negative: " + safePoint);
    }
    this.safePoint = safePoint;
  }

  MvccReader(View view) {
    this.view = view;
  }

  MvccReader(View view, long safePoint) {
    this.view = view;
    this.safePoint = safePoint;
  }

  /** The value of {@code userKey} at {@code readTs}, or null if it had none (or was deleted). */
  public byte[] get(byte[] userKey, long readTs) {
    checkReadTs(readTs);
    byte[] key = MvccKeys.encodeUserKey(userKey);
    checkLock(userKey, lock(key), readTs);
    try (RocksIterator writes = view.iterator(Cf.WRITE)) {
      return visibleValue(writes, key, readTs);
    }
  }

  /**
   * The pairs of user keys in [{@code start}, {@code end}) that have a value at {@code readTs},
   * in key order or, if {@code reverse}, descending key order, at most {@code limit} of them.
   * An empty {@code end} means no upper bound. A lock that blocks the read on any key reached
   * before the limit fails the whole scan.
   */
  public List<KvPair> scan(byte[] start, byte[] end, long readTs, int limit, boolean reverse) {
    checkReadTs(readTs);
    if (limit < 1) {
      throw new IllegalArgumentException("scan limit must be at least 1, not " + limit);
    }
    List<KvPair> out = new ArrayList<>(Math.min(limit, 1024));
    byte[] encodedEnd = end.length == 0 ? null : MvccKeys.encodeUserKey(end);
    try (KeyWalk walk = new KeyWalk(view, MvccKeys.encodeUserKey(start), encodedEnd, reverse);
        RocksIterator writes = view.iterator(Cf.WRITE)) {
      for (byte[] key = walk.next(); key != null && out.size() < limit; key = walk.next()) {
        byte[] userKey = MvccKeys.decodeUserKey(key);
        checkLock(userKey, walk.lock() == null ? null : Lock.decode(walk.lock()), readTs);
        byte[] value = visibleValue(writes, key, readTs);
        if (value != null) {
          out.add(new KvPair(userKey, value));
        }
      }
    }
    return out;
  }

  /**
   * The GC safe point this reader honours: its caller's, else the store's as of this reader's
   * view (0 before the first GC).
   */
  public long safePoint() {
    if (safePoint < 0) {
      safePoint = SafePoint.read(view);
    }
    return safePoint;
  }

  /**
   * The lock with the oldest start timestamp in the whole store, or null: what holds the GC
   * safe point back. Reads every lock; locks live only while transactions commit, so there are
   * few.
   */
  public LockedKey oldestLock() {
    LockedKey oldest = null;
    try (RocksIterator it = view.iterator(Cf.LOCK)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        Lock lock = Lock.decode(it.value());
        if (oldest == null || lock.startTs() < oldest.lock().startTs()) {
          oldest = new LockedKey(MvccKeys.decodeUserKey(it.key()), lock);
        }
      }
      view.checkStatus(it, Cf.LOCK);
    }
    return oldest;
  }

  /** The lock on an encoded key, or null. */
  Lock lock(byte[] key) {
    byte[] raw = view.get(Cf.LOCK, key);
    return raw == null ? null : Lock.decode(raw);
  }

  /**
   * The write records of an encoded key at versions {@code >= sinceTs}, newest first: where a
   * transaction started at {@code sinceTs} finds its own outcome and any later conflicting
   * commit.
   */
  List<VersionedWrite> writesSince(byte[] key, long sinceTs) {
    List<VersionedWrite> found = new ArrayList<>();
    try (RocksIterator it = view.iterator(Cf.WRITE)) {
      for (it.seek(MvccKeys.version(key, Long.MAX_VALUE));
          it.isValid() && MvccKeys.isVersionOf(it.key(), key); it.next()) {
        long commitTs = MvccKeys.timestamp(it.key());
        if (commitTs < sinceTs) {
          break;
        }
        found.add(new VersionedWrite(commitTs, Write.decode(it.value())));
      }
      view.checkStatus(it, Cf.WRITE);
    }
    return found;
  }

  /** The write record that transaction {@code startTs} left on an encoded key, or null. */
  VersionedWrite outcome(byte[] key, long startTs) {
    for (VersionedWrite w : writesSince(key, startTs)) {
      if (w.write().startTs() == startTs) {
        return w;
      }
    }
    return null;
  }

  private void checkReadTs(long readTs) {
    Timestamps.check("read ts", readTs);
    SafePoint.check("read", readTs, safePoint());
  }

  private static void checkLock(byte[] userKey, Lock lock, long readTs) {
    if (lock != null && lock.blocksReadAt(readTs)) {
      throw new MvccException.KeyLocked(userKey, lock);
    }
  }

  /**
   * The value of the newest PUT or DELETE at or before {@code readTs}, skipping rollback and
   * lock records, which never change a value.
   */
  private byte[] visibleValue(RocksIterator writes, byte[] key, long readTs) {
    for (writes.seek(MvccKeys.version(key, readTs));
        writes.isValid() && MvccKeys.isVersionOf(writes.key(), key); writes.next()) {
      Write w = Write.decode(writes.value());
      if (!w.isData()) {
        continue;
      }
      if (w.kind() == Write.Kind.DELETE) {
        return null;
      }
      return w.shortValue() != null ? w.shortValue()
          : data(key, w.startTs(), MvccKeys.timestamp(writes.key()));
    }
    view.checkStatus(writes, Cf.WRITE);
    return null;
  }

  private byte[] data(byte[] key, long startTs, long commitTs) {
    byte[] value = view.get(Cf.DATA, MvccKeys.version(key, startTs));
    if (value == null) {
      throw new CorruptRecordException("data", "missing for key " + MvccKeys.show(key)
          + " at start ts " + startTs + ", named by its write record at commit ts " + commitTs);
    }
    return value;
  }
}
