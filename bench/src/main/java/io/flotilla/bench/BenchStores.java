package io.flotilla.bench;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import java.util.List;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompactRangeOptions.BottommostLevelCompaction;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDBException;

/** Helpers for the storage benchmarks' stores. */
final class BenchStores {
  private BenchStores() {}

  /**
   * Flushes {@code families} and rewrites them fully, down to the bottommost level, so that the
   * store is settled before measuring: no memtable, no dead files, and no tombstones (a plain
   * compaction may just move an L0 file down and keep them).
   */
  static void settle(Store s, List<Cf> families) {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
        CompactRangeOptions full = new CompactRangeOptions()
            .setBottommostLevelCompaction(BottommostLevelCompaction.kForce)) {
      for (Cf cf : families) {
        s.db().flush(flush, s.handle(cf));
        s.db().compactRange(s.handle(cf), null, null, full);
      }
    } catch (RocksDBException e) {
      throw s.failure("settling the benchmark store", e);
    }
  }
}
