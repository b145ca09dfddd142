package io.flotilla.multiraft.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import io.flotilla.multiraft.proto.ApplyStatePb;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Where each range's state machine stands, in the RAFT_STATE family under
 * {@code rangeId (8 bytes BE) || 'a'}. Written in the same (unsynced) batch as the data a
 * command changes, so after a crash the applied index always matches the data; entries after
 * it are re-applied from the synced raft log.
 */
final class ApplyStates {
  private static final byte TAG = 'a';

  private ApplyStates() {}

  static byte[] key(long rangeId) {
    byte[] k = new byte[9];
    for (int i = 0; i < 8; i++) {
      k[i] = (byte) (rangeId >>> (56 - 8 * i));
    }
    k[8] = TAG;
    return k;
  }

  static void put(Store store, WriteBatch batch, long rangeId, ApplyStatePb state) {
    try {
      batch.put(store.handle(Cf.RAFT_STATE), key(rangeId), state.toByteArray());
    } catch (RocksDBException e) {
      throw store.failure("recording the apply state of range " + rangeId, e);
    }
  }

  static void delete(Store store, WriteBatch batch, long rangeId) {
    try {
      batch.delete(store.handle(Cf.RAFT_STATE), key(rangeId));
    } catch (RocksDBException e) {
      throw store.failure("removing the apply state of range " + rangeId, e);
    }
  }

  /** Every range with a replica on this store. */
  static List<ApplyStatePb> loadAll(Store store) {
    List<ApplyStatePb> out = new ArrayList<>();
    try (ReadOptions ro = new ReadOptions();
        RocksIterator it = store.newIterator(Cf.RAFT_STATE, ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (k.length == 9 && k[8] == TAG) {
          out.add(ApplyStatePb.parseFrom(it.value()));
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw store.failure("loading range apply states", e);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("store " + store.dir() + ": corrupt range apply state: "
          + e.getMessage(), e);
    }
    return out;
  }
}
