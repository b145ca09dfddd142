package io.flotilla.multiraft.node;

import io.flotilla.kv.SpanSize;
import io.flotilla.kv.mvcc.LockedKey;
import io.flotilla.kv.mvcc.MvccKeys;
import io.flotilla.kv.mvcc.MvccReader;
import io.flotilla.kv.mvcc.SplitKeyFinder;
import io.flotilla.kv.Store;
import io.flotilla.multiraft.proto.RangeStatusPb;
import io.flotilla.multiraft.proto.StoreStatusPb;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeSpans;
import io.flotilla.multiraft.runtime.TxnErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.rocksdb.ReadOptions;

/**
 * The store's side of a node's status: its disk, and the size and load of the ranges it leads
 * (what the placement driver balances and splits by).
 */
final class StoreStatus {
  private final Store store;
  private final long self;

  StoreStatus(Store store, long self) {
    this.store = store;
    this.self = self;
  }

  /**
   * The key at which {@code d}'s range divides its bytes in this store about in half (a range
   * key, with the keyspace prefix): the first key of the right half of a split by size.
   *
   * @throws SplitKeyFinder.TooFewKeys if the range holds fewer than two keys
   */
  byte[] middleKey(RangeDescriptor d) {
    return MvccKeys.decodeUserKey(SplitKeyFinder.middle(store, RangeSpans.of(d)));
  }

  /** A range's status; with its size and load where this node leads it. */
  RangeStatusPb range(RangeInfo ri) {
    RangeStatusPb.Builder b = RangeStatusPb.newBuilder().setRange(ri.descriptor().toProto())
        .setLeader(ri.leader()).setTerm(ri.term()).setApplied(ri.applied())
        .setQuiescent(ri.quiescent());
    if (ri.leader() == self) {
      SpanSize size = SpanSize.estimate(store, RangeSpans.of(ri.descriptor()));
      b.setApproxBytes(size.bytes()).setApproxKeys(size.keys()).setReads(ri.reads())
          .setWrites(ri.writes()).setWriteBytes(ri.writeBytes());
      if (ri.loadSplitKey() != null) {
        b.setLoadSplitKey(com.google.protobuf.ByteString.copyFrom(ri.loadSplitKey()));
      }
    }
    return b.build();
  }

  StoreStatusPb store() {
    try {
      FileStore fs = Files.getFileStore(store.dir());
      StoreStatusPb.Builder b = StoreStatusPb.newBuilder().setCapacityBytes(fs.getTotalSpace())
          .setAvailableBytes(fs.getUsableSpace()).setUsedBytes(used(store.dir()));
      try (ReadOptions view = new ReadOptions()) {
        LockedKey oldest = new MvccReader(store, view).oldestLock();
        if (oldest != null) {
          b.setOldestLock(TxnErrors.lockInfo(oldest.key(), oldest.lock()));
        }
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the disk usage of store " + store.dir(), e);
    }
  }

  private static long used(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.mapToLong(StoreStatus::sizeOrZero).sum();
    } catch (UncheckedIOException e) {
      // A directory vanished under the walk (a snapshot's, being deleted): count again.
      if (e.getCause() instanceof NoSuchFileException) {
        return used(dir);
      }
      throw e;
    }
  }

  /** Files come and go while RocksDB flushes and compacts: a vanished one holds nothing. */
  private static long sizeOrZero(Path p) {
    try {
      return Files.isRegularFile(p) ? Files.size(p) : 0;
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
