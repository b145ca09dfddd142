package io.flotilla.kv;

import java.nio.charset.StandardCharsets;

/**
 * The store's column families. Raft's log and state are kept apart from the MVCC data so that
 * log truncation (range deletes) and data compaction do not disturb each other; lock, write and
 * data follow TiKV's Percolator layout.
 */
public enum Cf {
  /** Store-wide records: the identity. */
  DEFAULT("default"),
  /** Raft log entries of every group: key = group id, index (both big-endian). */
  RAFT_LOG("raft_log"),
  /** Per-group hard state, applied index, snapshot metadata and range descriptor. */
  RAFT_STATE("raft_state"),
  /** MVCC values: key = encoded user key, inverted start timestamp. */
  DATA("data"),
  /** Percolator locks: key = encoded user key. */
  LOCK("lock"),
  /** Percolator write records: key = encoded user key, inverted commit timestamp. */
  WRITE("write");

  private final String rocksName;

  Cf(String rocksName) {
    this.rocksName = rocksName;
  }

  byte[] nameBytes() {
    return rocksName.getBytes(StandardCharsets.US_ASCII);
  }

  public String rocksName() {
    return rocksName;
  }
}
