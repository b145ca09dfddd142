package io.flotilla.kv.mvcc;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/** Adds MVCC mutations to the caller's write batch; applying it is the caller's business. */
record Batch(Store store, WriteBatch out) {
  void put(Cf cf, byte[] key, byte[] value) {
    try {
      out.put(store.handle(cf), key, value);
    } catch (RocksDBException e) {
      throw store.failure("adding an MVCC put to a batch", e);
    }
  }

  void delete(Cf cf, byte[] key) {
    try {
      out.delete(store.handle(cf), key);
    } catch (RocksDBException e) {
      throw store.failure("adding an MVCC delete to a batch", e);
    }
  }
}
