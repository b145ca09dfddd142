package io.flotilla.kv.snapshot;

/**
 * The steps of the ingest protocol (see {@link SnapshotIngester}) at which tests simulate a
 * crash. Production code passes a hook that does nothing; a test's hook throws, leaving the
 * store exactly as a process killed at that step would.
 */
enum CrashPoint {
  /** Files verified and synced, no marker yet: a crash leaves the old span. */
  VERIFIED,
  /** The marker is synced under its temporary name, not yet renamed: still the old span. */
  MARKER_TEMP_SYNCED,
  /** The marker is durable: from here a crash ends with the new span, by redo. */
  MARKER_DURABLE,
  /** The span's range deletion is written (to the memtables and the unsynced WAL). */
  SPAN_DELETED,
  /** The range deletion is flushed to SST files. */
  SPAN_DELETE_FLUSHED,
  /** One family's files are ingested; reached once per family that has files. */
  CF_INGESTED,
  /** The marker is deleted, the staged files not yet. */
  MARKER_REMOVED
}
