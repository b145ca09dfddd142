package io.flotilla.kv;

/**
 * Settings of a store.
 *
 * @param maxKeyBytes user keys longer than this are refused
 * @param maxValueBytes values (and raft entries) larger than this are refused
 * @param entryCacheBytes memory for recently appended raft entries, shared by all groups
 * @param blockCacheBytes RocksDB's block cache
 */
public record StoreOptions(int maxKeyBytes, int maxValueBytes, long entryCacheBytes,
    long blockCacheBytes) {
  public static final StoreOptions DEFAULTS =
      new StoreOptions(16 << 10, 8 << 20, 64L << 20, 128L << 20);

  public StoreOptions {
    if (maxKeyBytes < 1 || maxValueBytes < 1 || entryCacheBytes < 0 || blockCacheBytes < 0) {
      throw new IllegalArgumentException("store options must be positive: " + maxKeyBytes
          + ", " + maxValueBytes + ", " + entryCacheBytes + ", " + blockCacheBytes);
    }
  }

  public StoreOptions withMaxKeyBytes(int v) {
    return new StoreOptions(v, maxValueBytes, entryCacheBytes, blockCacheBytes);
  }

  public StoreOptions withMaxValueBytes(int v) {
    return new StoreOptions(maxKeyBytes, v, entryCacheBytes, blockCacheBytes);
  }

  public StoreOptions withEntryCacheBytes(long v) {
    return new StoreOptions(maxKeyBytes, maxValueBytes, v, blockCacheBytes);
  }
}
