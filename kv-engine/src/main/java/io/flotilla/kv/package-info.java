/**
 * The node's storage engine: one RocksDB instance per node ({@link io.flotilla.kv.Store}) with
 * column families for the raft log of every group, raft state, and MVCC data.
 *
 * <p>Contract: every write that must survive a crash goes through one synced batch per cycle
 * ({@link io.flotilla.kv.WalBatch}, committed by {@link io.flotilla.kv.RaftLogStore#commit});
 * nothing else in the engine asks RocksDB for a synced write (range snapshot ingest flushes and
 * syncs its own files; it carries no log entries). Errors are {@link
 * io.flotilla.kv.StoreException}s that name the store directory and what went wrong.
 */
package io.flotilla.kv;
