package io.flotilla.kv;

/**
 * Counters of the WAL committer since the store opened.
 *
 * @param syncs synced RocksDB writes (each one fsync)
 * @param batches {@link WalBatch}es committed (several may share one sync)
 * @param groupWrites group parts written (one group in one batch counts once)
 * @param entries log entries written
 * @param bytes entry bytes written
 */
public record WalStats(long syncs, long batches, long groupWrites, long entries, long bytes) {}
