package io.flotilla.multiraft.runtime;

import io.flotilla.kv.Store;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.WriteBatch;

/**
 * What one cycle applies, across every replica with committed entries: their data and apply
 * states go to the store in one unsynced write, and only then are the proposers told the
 * outcome. One write per cycle instead of one per entry is most of what applying costs.
 *
 * <p>A command that reads what it is about to change (compare-and-set) first {@link #flush
 * flushes} the batch so it sees every earlier entry's effect.
 */
final class ApplyBatch implements AutoCloseable {
  private final Store store;
  private final WriteBatch batch = new WriteBatch();
  private final List<Runnable> afterWrite = new ArrayList<>();

  ApplyBatch(Store store) {
    this.store = store;
  }

  WriteBatch batch() {
    return batch;
  }

  /** Runs {@code r} once everything added so far is written. */
  void afterWrite(Runnable r) {
    afterWrite.add(r);
  }

  /** Writes what was added and runs the completions waiting for it. */
  void flush() {
    if (batch.count() > 0) {
      store.write(batch);
      batch.clear();
    }
    for (Runnable r : afterWrite) {
      r.run();
    }
    afterWrite.clear();
  }

  @Override
  public void close() {
    batch.close();
  }
}
