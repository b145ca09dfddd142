/**
 * Multi-version concurrency control for the transaction layer, on Percolator's lock / write /
 * data records in TiKV's layout, plus the order-preserving key codec the SQL layer builds user
 * keys with.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link io.flotilla.kv.mvcc.KeyEncoder} / {@link io.flotilla.kv.mvcc.KeyDecoder}: the
 *       unsigned byte order of an encoded tuple is the order of the tuple, and decoding returns
 *       it exactly (format: {@code docs/key-encoding.md}).
 *   <li>User keys are raw bytes; {@link io.flotilla.kv.mvcc.MvccKeys} maps them to the keys of
 *       the LOCK, WRITE and DATA column families so that newer versions sort first.
 *   <li>Reads ({@link io.flotilla.kv.mvcc.MvccReader}) go through a view the caller gives (read
 *       options, normally with a RocksDB snapshot) and never write. Mutations ({@link
 *       io.flotilla.kv.mvcc.MvccWriter}, {@link io.flotilla.kv.mvcc.MvccGc}) read through such
 *       a view and only add to a caller-supplied {@code WriteBatch}, which the caller applies
 *       unsynced when the Raft command that carries them is applied. An operation refused with
 *       an {@code MvccException} has added nothing to the batch; after any other failure
 *       (corruption, I/O) the caller discards the batch.
 *   <li>The caller serializes operations on the same keys and applies each batch before the
 *       next operation on those keys reads (a view does not see a pending batch).
 *   <li>Timestamps come from the TSO, are unique, at least 1, and hold physical milliseconds
 *       above 18 logical bits (lock TTLs are measured against them).
 *   <li>Refusals the transaction layer acts on are {@link io.flotilla.kv.mvcc.MvccException}s;
 *       records that do not decode are {@link io.flotilla.kv.mvcc.CorruptRecordException}s;
 *       keys and values over the store's limits are {@link IllegalArgumentException}s.
 *   <li>Reads below the GC safe point are refused; versions a read at or above it needs are
 *       never collected.
 * </ul>
 */
package io.flotilla.kv.mvcc;
