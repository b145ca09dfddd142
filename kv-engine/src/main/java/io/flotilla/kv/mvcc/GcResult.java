package io.flotilla.kv.mvcc;

/**
 * What one {@link MvccGc#gc} call removed.
 *
 * @param keys user keys examined
 * @param writesRemoved write records removed (old versions, deletes, rollback and lock records)
 * @param dataRemoved data records removed with their PUT write records
 * @param resumeKey the user key to start the next call at, or null if the span is done
 */
public record GcResult(long keys, long writesRemoved, long dataRemoved, byte[] resumeKey) {}
