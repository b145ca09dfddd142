package io.flotilla.kv;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * One node's storage: a single RocksDB instance holding the raft log and state of every group
 * and all MVCC data, in the column families of {@link Cf}. Thread-safe.
 *
 * <p>Durability: only {@link #writeSynced} asks for a synced write, and only the WAL committer
 * ({@link RaftLogStore#commit}) calls it, once per batch of many groups. Every other write
 * (applied state, compaction, MVCC data applied from the log) is unsynced: after a crash it is
 * either recovered by RocksDB or re-applied from the synced raft log. The one exception holds no
 * log entries: ingesting a range snapshot flushes the data families and lets RocksDB sync the
 * ingested files, because the snapshot is not in the raft log to be re-applied from.
 */
public final class Store implements AutoCloseable {
  /** The on-disk format this build writes and the newest it can read. */
  public static final int FORMAT_VERSION = 1;
  private static final byte[] IDENTITY_KEY = "flotilla/identity".getBytes(StandardCharsets.UTF_8);

  static {
    NativeLibrary.load();
  }

  private final Path dir;
  private final StoreOptions options;
  private final RocksDB db;
  private final EnumMap<Cf, ColumnFamilyHandle> handles;
  private final List<AutoCloseable> resources;
  private final WriteOptions synced = new WriteOptions().setSync(true);
  private final WriteOptions unsynced = new WriteOptions().setSync(false);
  /** Set once while opening, before the store is handed out. */
  private StoreIdentity identity;
  /** RocksDB's native handles crash the JVM when used after close; refuse instead. */
  private volatile boolean closed;

  private Store(Path dir, StoreOptions options, RocksDB db, EnumMap<Cf, ColumnFamilyHandle> h,
      List<AutoCloseable> resources, StoreIdentity identity) {
    this.dir = dir;
    this.options = options;
    this.db = db;
    this.handles = h;
    this.resources = resources;
    this.identity = identity;
  }

  /** Creates a new store in {@code dir}, which must not hold one yet. */
  public static Store create(Path dir, StoreIdentity identity, StoreOptions options) {
    if (Files.exists(dir.resolve("CURRENT"))) {
      throw new StoreException(dir, "already holds a store; open it instead of creating one");
    }
    if (identity.formatVersion() != FORMAT_VERSION) {
      throw new StoreException(dir, "cannot create format " + identity.formatVersion()
          + "; this build writes format " + FORMAT_VERSION);
    }
    Store s = openRocks(dir, options, true, identity);
    try {
      s.db.put(s.handle(Cf.DEFAULT), s.synced, IDENTITY_KEY, identity.encode());
    } catch (RocksDBException e) {
      s.close();
      throw new StoreException(dir, "cannot write the store identity", e);
    }
    return s;
  }

  /** Opens the existing store in {@code dir}, whatever cluster it belongs to. */
  public static Store open(Path dir, StoreOptions options) {
    if (!Files.exists(dir.resolve("CURRENT"))) {
      throw new StoreException(dir, "holds no store (no RocksDB CURRENT file); a new node"
          + " creates its store when it bootstraps or joins a cluster");
    }
    WalIntegrity.check(dir);
    Store s = openRocks(dir, options, false, null);
    try {
      byte[] raw = s.db.get(s.handle(Cf.DEFAULT), IDENTITY_KEY);
      if (raw == null) {
        throw new StoreException(dir, "has no identity record: not a flotilla store, or its"
            + " creation did not finish");
      }
      StoreIdentity id;
      try {
        id = StoreIdentity.decode(raw);
      } catch (IllegalArgumentException e) {
        throw new StoreException(dir, "has a corrupt identity record: " + e.getMessage());
      }
      if (id.formatVersion() > FORMAT_VERSION) {
        throw new StoreException(dir, "has format " + id.formatVersion()
            + ", newer than this build understands (" + FORMAT_VERSION + ")");
      }
      s.identity = id;
      return s;
    } catch (RocksDBException e) {
      s.close();
      throw new StoreException(dir, "cannot read the store identity", e);
    } catch (StoreException e) {
      s.close();
      throw e;
    }
  }

  /** Opens the existing store in {@code dir}, which must belong to {@code clusterId}. */
  public static Store open(Path dir, long clusterId, StoreOptions options) {
    Store s = open(dir, options);
    if (s.identity.clusterId() != clusterId) {
      s.close();
      throw new StoreException(dir, "belongs to cluster "
          + Long.toUnsignedString(s.identity.clusterId(), 16) + ", not to cluster "
          + Long.toUnsignedString(clusterId, 16));
    }
    return s;
  }

  private static Store openRocks(Path dir, StoreOptions options, boolean create,
      StoreIdentity identity) {
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      Cache cache = new LRUCache(Math.max(options.blockCacheBytes(), 1 << 20));
      resources.add(cache);
      BloomFilter bloom = new BloomFilter(10);
      resources.add(bloom);
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      for (Cf cf : Cf.values()) {
        ColumnFamilyOptions cfo = new ColumnFamilyOptions().setTableFormatConfig(
            new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(bloom));
        resources.add(cfo);
        descriptors.add(new ColumnFamilyDescriptor(cf.nameBytes(), cfo));
      }
      DBOptions dbo = new DBOptions()
          .setCreateIfMissing(create)
          .setCreateMissingColumnFamilies(true)
          .setParanoidChecks(true)
          // A torn tail of the WAL (the batch being written when the process died) is
          // dropped; every batch acknowledged after its fsync is before that tail.
          .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
          .setMaxBackgroundJobs(2)
          .setBytesPerSync(1 << 20);
      resources.add(dbo);
      List<ColumnFamilyHandle> hs = new ArrayList<>();
      RocksDB db = RocksDB.open(dbo, dir.toString(), descriptors, hs);
      EnumMap<Cf, ColumnFamilyHandle> handles = new EnumMap<>(Cf.class);
      for (Cf cf : Cf.values()) {
        handles.put(cf, hs.get(cf.ordinal()));
      }
      return new Store(dir, options, db, handles, resources, identity);
    } catch (RocksDBException e) {
      closeAll(resources);
      String hint = e.getMessage() != null && e.getMessage().contains("lock")
          ? " (is it open in another process?)" : "";
      throw new StoreException(dir, "cannot open" + hint, e);
    } catch (java.io.IOException e) {
      closeAll(resources);
      throw new StoreException(dir, "cannot create the directory", e);
    }
  }

  public Path dir() {
    return dir;
  }

  public StoreIdentity identity() {
    return identity;
  }

  public StoreOptions options() {
    return options;
  }

  /** The RocksDB instance, for the engine's own subsystems (MVCC, snapshots). */
  public RocksDB db() {
    return db;
  }

  public ColumnFamilyHandle handle(Cf cf) {
    return handles.get(cf);
  }

  public byte[] get(Cf cf, byte[] key) {
    checkOpen();
    try {
      return db.get(handles.get(cf), key);
    } catch (RocksDBException e) {
      throw failure("read from " + cf.rocksName(), e);
    }
  }

  /** Writes without fsync: for state that is re-derivable from the synced raft log. */
  public void write(WriteBatch batch) {
    checkOpen();
    try {
      db.write(unsynced, batch);
    } catch (RocksDBException e) {
      throw failure("write", e);
    }
  }

  /** Writes and fsyncs; the WAL committer's alone (see the class comment). */
  void writeSynced(WriteBatch batch) {
    checkOpen();
    try {
      db.write(synced, batch);
    } catch (RocksDBException e) {
      throw failure("synced write", e);
    }
  }

  public RocksIterator newIterator(Cf cf, ReadOptions ro) {
    checkOpen();
    return db.newIterator(handles.get(cf), ro);
  }

  /** Reads every file and checks every block checksum; names the corrupt file if any. */
  public void verifyChecksums() {
    try {
      db.verifyChecksum();
    } catch (RocksDBException e) {
      throw failure("checksum verification failed", e);
    }
  }

  /** Wraps a RocksDB error into one that names this store. */
  public StoreException failure(String what, RocksDBException e) {
    return new StoreException(dir, what + " failed", e);
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreException(dir, "is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ColumnFamilyHandle h : handles.values()) {
      h.close();
    }
    db.close();
    synced.close();
    unsynced.close();
    closeAll(resources);
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        // Best effort: native handles of a store being torn down.
      }
    }
  }
}
