package io.flotilla.kv.mvcc;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The caller's consistent view of a store: every read of one MVCC operation goes through the
 * same {@link ReadOptions}, normally carrying a RocksDB snapshot, so that the operation sees
 * one state of the store. Owned by the caller; never closed here.
 */
record View(Store store, ReadOptions options) {
  byte[] get(Cf cf, byte[] key) {
    try {
      return store.db().get(store.handle(cf), options, key);
    } catch (RocksDBException e) {
      throw store.failure("MVCC read from " + cf.rocksName(), e);
    }
  }

  /** An iterator over {@code cf}; the caller closes it. */
  RocksIterator iterator(Cf cf) {
    return store.newIterator(cf, options);
  }

  /** Surfaces an iterator's error (RocksDB reports corruption or I/O failure this way). */
  void checkStatus(RocksIterator it, Cf cf) {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw store.failure("MVCC iteration over " + cf.rocksName(), e);
    }
  }
}
