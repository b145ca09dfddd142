package io.flotilla.kv.mvcc;

import io.flotilla.kv.Cf;
import java.util.Arrays;
import org.rocksdb.RocksIterator;

/**
 * Walks the distinct encoded user keys of a range that have a lock or any write record, in
 * either direction. Both families are needed: a key that a pending transaction is inserting has
 * a lock and no write record yet, and a scan must still stop at that lock.
 *
 * <p>Each key's versions are skipped with one seek (forward: to the key's all-ones timestamp
 * suffix; reverse: to the bare encoded key, which sorts before all its versions), so a key with
 * a long history costs the same as one with a single version.
 */
final class KeyWalk implements AutoCloseable {
  private final View view;
  private final RocksIterator locks;
  private final RocksIterator writes;
  private final byte[] start;
  /** Exclusive; null for no upper bound. */
  private final byte[] end;
  private final boolean reverse;
  private byte[] lock;

  KeyWalk(View view, byte[] start, byte[] end, boolean reverse) {
    this.view = view;
    this.start = start;
    this.end = end;
    this.reverse = reverse;
    this.locks = view.iterator(Cf.LOCK);
    this.writes = view.iterator(Cf.WRITE);
    if (!reverse) {
      locks.seek(start);
      writes.seek(start);
    } else if (end == null) {
      locks.seekToLast();
      writes.seekToLast();
    } else {
      // No version key equals an encoded user key (encodings are prefix-free), but a lock's
      // key can be exactly the end, which is excluded.
      locks.seekForPrev(end);
      if (locks.isValid() && Arrays.equals(locks.key(), end)) {
        locks.prev();
      }
      writes.seekForPrev(end);
    }
  }

  /** The next encoded user key, or null when the range is done. */
  byte[] next() {
    byte[] lockKey = inRange(locks, Cf.LOCK) ? locks.key() : null;
    byte[] writeKey = inRange(writes, Cf.WRITE) ? MvccKeys.userPart(writes.key()) : null;
    if (lockKey == null && writeKey == null) {
      return null;
    }
    byte[] key = lockKey == null ? writeKey : writeKey == null ? lockKey
        : (Arrays.compareUnsigned(lockKey, writeKey) < 0) != reverse ? lockKey : writeKey;
    lock = null;
    if (lockKey != null && Arrays.equals(lockKey, key)) {
      lock = locks.value();
      if (reverse) {
        locks.prev();
      } else {
        locks.next();
      }
    }
    if (writeKey != null && Arrays.equals(writeKey, key)) {
      if (reverse) {
        writes.seekForPrev(key);
      } else {
        writes.seek(MvccKeys.afterAllVersions(key));
      }
    }
    return key;
  }

  /** The raw lock on the key {@link #next} returned last, or null. */
  byte[] lock() {
    return lock;
  }

  private boolean inRange(RocksIterator it, Cf cf) {
    if (!it.isValid()) {
      view.checkStatus(it, cf);
      return false;
    }
    return reverse ? Arrays.compareUnsigned(it.key(), start) >= 0
        : end == null || Arrays.compareUnsigned(it.key(), end) < 0;
  }

  @Override
  public void close() {
    locks.close();
    writes.close();
  }
}
