package io.flotilla.kv.mvcc;

/** A write record with the timestamp of its version (the commit ts; a rollback's start ts). */
record VersionedWrite(long commitTs, Write write) {}
