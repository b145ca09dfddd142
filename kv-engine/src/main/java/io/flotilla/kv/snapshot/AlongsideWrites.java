package io.flotilla.kv.snapshot;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Writes the layer above must make exactly when a snapshot replaces its span, never before and
 * never lost after: typically the replica's record of which raft index its data now reflects.
 * They go into the batch that deletes the span (so they land atomically with it) and are
 * flushed with it, and an ingest redone after a crash adds them again, from the manifest (its
 * context is the place to keep what they need). They may touch the data families and
 * {@link io.flotilla.kv.Cf#RAFT_STATE}, which are the families the ingest flushes.
 */
@FunctionalInterface
public interface AlongsideWrites {
  AlongsideWrites NONE = (manifest, batch) -> { };

  /** Adds the writes for the ingest of {@code manifest}; must be repeatable. */
  void add(SnapshotManifest manifest, WriteBatch batch) throws RocksDBException;
}
