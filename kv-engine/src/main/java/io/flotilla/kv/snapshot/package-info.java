/**
 * Range snapshots: moving a key span of the data, lock and write column families from one
 * store to another, as a raft snapshot does when a replica is added or falls too far behind.
 *
 * <p>Sending: {@link io.flotilla.kv.snapshot.RangeSnapshotExporter#export} writes SST files
 * from one RocksDB snapshot, so the three families agree at a single point in time; the result
 * streams as CRC32C-checked {@link io.flotilla.kv.snapshot.SnapshotChunk}s followed by a {@link
 * io.flotilla.kv.snapshot.SnapshotManifest} (format version, span, file sizes and checksums).
 *
 * <p>Receiving: {@link io.flotilla.kv.snapshot.RangeSnapshotReceiver#begin} stages chunks in
 * {@code <store>/snapshots/incoming/<id>/}, refusing a damaged chunk with the file and offset
 * named; {@link io.flotilla.kv.snapshot.IncomingSnapshot#complete} verifies every file against
 * the manifest and replaces the span.
 *
 * <p>Contract: a span is replaced all or nothing. A crash at any moment leaves either the old
 * span or the new one in full, once {@link io.flotilla.kv.snapshot.RangeSnapshotReceiver#recover}
 * has run at store open; a snapshot that was not completed leaves no trace. The raft log and
 * raft state never move with a snapshot: recording which raft index a snapshot installed is the
 * caller's, helped by the manifest's opaque context that recovery hands back. Keys are raw
 * stored keys; nothing here depends on the MVCC encoding.
 */
package io.flotilla.kv.snapshot;
