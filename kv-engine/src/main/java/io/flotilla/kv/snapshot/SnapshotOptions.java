package io.flotilla.kv.snapshot;

/**
 * Sizes of an exported snapshot.
 *
 * @param maxFileBytes an SST file is closed and the next one started once this many bytes of
 *     keys and values went into it (uncompressed), so a file is about this size or smaller
 * @param chunkBytes the size of each chunk but the last of a file; at most {@link
 *     #MAX_CHUNK_BYTES}
 */
public record SnapshotOptions(long maxFileBytes, int chunkBytes) {
  /** The largest chunk a receiver accepts: bounds the memory one message may take. */
  public static final int MAX_CHUNK_BYTES = 16 << 20;
  public static final SnapshotOptions DEFAULTS = new SnapshotOptions(64L << 20, 1 << 20);

  public SnapshotOptions {
    if (maxFileBytes < 1 || chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("snapshot options: maxFileBytes must be >= 1 and"
          + " chunkBytes in [1, " + MAX_CHUNK_BYTES + "], got " + maxFileBytes + ", "
          + chunkBytes);
    }
  }
}
