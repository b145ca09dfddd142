package io.flotilla.kv.crash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.Cf;
import io.flotilla.kv.RaftHardState;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreException;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Damaged files are detected and named, never silently served: issue #3, item 6. Each test
 * writes through the public API, closes the store, damages one file in place, reopens, and
 * shows what the engine does. What RocksDB 10.10 does with the store's options
 * ({@code paranoid_checks}, {@code PointInTimeRecovery}), as measured by these tests:
 * <ul>
 *   <li><b>A flipped SST block</b> (raft-log and data column families flushed, 16 bytes in the
 *       middle of each SST inverted): the store opens (only footers, index and filter blocks
 *       are read at open). A read that touches the block fails with RocksDB's "block checksum
 *       mismatch ... in /dir/000009.sst offset N size M", wrapped in a {@link StoreException}
 *       naming the store; {@link Store#verifyChecksums()} fails the same way. Every read that
 *       does not touch the block returns exactly what was written.
 *   <li><b>A flipped byte inside one write of the RocksDB WAL, with valid writes after it</b>
 *       (store closed without flush, so the WAL is the only copy): RocksDB's point-in-time
 *       recovery alone would open the store with every write from the damaged one on silently
 *       gone, although each was acknowledged after its fsync. {@link Store#open} scans the WAL
 *       first and refuses, naming the file and the offset of the damaged record
 *       ({@code WalIntegrity}).
 *   <li><b>A damaged last write of the WAL</b> (a torn tail: the write in progress when the
 *       process died): the store opens with exactly the writes before it; nothing wrong is
 *       served.
 *   <li><b>A bad identity record, CURRENT or MANIFEST</b>: {@link Store#open} fails with a
 *       {@link StoreException} naming the directory and the cause.
 * </ul>
 */
class CorruptionTest {
  private static final StoreIdentity ID = new StoreIdentity(0xC0FFEEL, 3, Store.FORMAT_VERSION);
  /** No entry cache: every read below goes to RocksDB. */
  private static final StoreOptions OPTIONS = StoreOptions.DEFAULTS.withEntryCacheBytes(0);
  private static final int GROUPS = 16;
  private static final int DATA_KEYS = 2000;

  @TempDir
  Path dir;

  /** Names of the SST files written by {@link #flushedStoreWithFlippedSsts}. */
  private String logSst;
  private String dataSst;

  @Test
  void verifyChecksumsAndPointReadsNameAFlippedSst() throws Exception {
    flushedStoreWithFlippedSsts();
    try (Store s = Store.open(dir, OPTIONS)) {
      List<String> failures = new ArrayList<>();
      int intact = 0;
      for (int i = 0; i < DATA_KEYS; i++) {
        try {
          assertArrayEquals(value(i), s.get(Cf.DATA, key(i)), "value " + i);
          intact++;
        } catch (StoreException e) {
          failures.add(e.getMessage());
        }
      }
      assertFalse(failures.isEmpty(), "some keys lie in the flipped block");
      assertTrue(intact > DATA_KEYS / 2, "only the flipped block fails: " + intact);
      for (String f : failures) {
        assertTrue(f.startsWith("store " + dir + ": read from data failed: "), f);
        assertTrue(f.contains("block checksum mismatch") && f.contains(dir + "/" + dataSst), f);
      }
      StoreException e = assertThrows(StoreException.class, s::verifyChecksums);
      assertTrue(e.getMessage().startsWith("store " + dir + ": checksum verification failed"),
          e.getMessage());
      assertTrue(e.getMessage().contains("block checksum mismatch"), e.getMessage());
      assertTrue(e.getMessage().contains(logSst) || e.getMessage().contains(dataSst),
          e.getMessage());
    }
  }

  /**
   * Reading raft-log entries through {@link io.flotilla.kv.GroupLog#entries} must fail naming
   * the SST, like every other read. Each group's log is read whole; groups whose entries avoid
   * the flipped block must come back byte for byte.
   *
   * <p>Fails as of this writing: {@code GroupLog.readFromDisk} sees the iterator turn invalid
   * at the bad block and reports "log entry N is missing on disk" without asking the iterator
   * for its status, so the message hides the checksum error and the file. (Loading a group
   * whose last entry is in the block does report it: {@code RaftLogStore.load} checks status.)
   */
  @Test
  void readingEntriesFromAFlippedSstBlockNamesTheFile() throws Exception {
    LogModel expected = flushedStoreWithFlippedSsts();
    try (Store s = Store.open(dir, OPTIONS)) {
      RaftLogStore log = new RaftLogStore(s);
      List<String> failures = new ArrayList<>();
      for (int g = 1; g <= GROUPS; g++) {
        try {
          assertNull(expected.group(g).diff(GroupModel.read(log, g)), "group " + g);
        } catch (StoreException e) {
          failures.add(e.getMessage());
        }
      }
      assertFalse(failures.isEmpty(), "some group's entries lie in the flipped block");
      assertTrue(failures.size() < GROUPS / 2, "only the flipped block fails: " + failures);
      for (String f : failures) {
        assertTrue(f.contains("block checksum mismatch") && f.contains(dir + "/" + logSst),
            "the error should name " + logSst + ", not guess at the cause: " + f);
      }
    }
  }

  @Test
  void aCorruptWalRecordWithValidWritesAfterItIsRefusedNamingFileAndOffset() throws Exception {
    int groups = 4;
    int batches = 40;
    List<BatchPlan> plans = new ArrayList<>();
    LogModel all = new LogModel(groups);
    try (Store s = Store.create(dir, ID, OPTIONS)) {
      RaftLogStore log = new RaftLogStore(s);
      for (int k = 1; k <= batches; k++) {
        List<BatchPlan.Part> parts = new ArrayList<>();
        for (int g = 1; g <= groups; g++) {
          long first = all.group(g).lastIndex() + 1;
          parts.add(new BatchPlan.Part(g, null, new BatchPlan.Entries(first, first + 4, 1),
              new RaftHardState(1, k, first)));
        }
        BatchPlan p = new BatchPlan(k, parts);
        plans.add(p);
        commit(log, p, all);
      }
      assertEquals(List.of(), s.db().getLiveFilesMetaData(), "nothing flushed: all in the WAL");
    }
    Path wal = onlyWal();
    List<WalFile.Write> writes = WalFile.writes(wal);
    assertEquals(batches + 1, writes.size(), "the identity, then one write per batch");
    assertEquals(1, writes.get(0).count(), "the identity write holds one put");
    int victim = batches / 2;
    flip(wal, writes.get(victim).middleOfFirstFragment(), 1);

    long offset = WalFile.recordStart(writes.get(victim));
    StoreException e = assertThrows(StoreException.class, () -> Store.open(dir, OPTIONS));
    assertTrue(e.getMessage().contains(wal + " is corrupt at offset " + offset
        + " and valid writes follow it"), e.getMessage());
    assertTrue(Files.exists(wal), "the damaged WAL is left for inspection");
  }

  @Test
  void aTornTailOfTheWalIsDroppedKeepingEveryEarlierBatch() throws Exception {
    int groups = 4;
    int batches = 10;
    List<BatchPlan> plans = new ArrayList<>();
    LogModel all = new LogModel(groups);
    try (Store s = Store.create(dir, ID, OPTIONS)) {
      RaftLogStore log = new RaftLogStore(s);
      for (int k = 1; k <= batches; k++) {
        List<BatchPlan.Part> parts = new ArrayList<>();
        for (int g = 1; g <= groups; g++) {
          long first = all.group(g).lastIndex() + 1;
          parts.add(new BatchPlan.Part(g, null, new BatchPlan.Entries(first, first + 4, 1),
              new RaftHardState(1, k, first)));
        }
        BatchPlan p = new BatchPlan(k, parts);
        plans.add(p);
        commit(log, p, all);
      }
    }
    Path wal = onlyWal();
    List<WalFile.Write> writes = WalFile.writes(wal);
    flip(wal, writes.get(batches).middleOfFirstFragment(), 1);

    LogModel expected = new LogModel(groups);
    plans.subList(0, batches - 1).forEach(expected::apply);
    try (Store s = Store.open(dir, OPTIONS)) {
      RaftLogStore log = new RaftLogStore(s);
      for (int g = 1; g <= groups; g++) {
        assertNull(expected.group(g).diff(GroupModel.read(log, g)), "group " + g + " holds"
            + " exactly the batches before the torn last write");
      }
      s.verifyChecksums();
    }
  }

  @Test
  void aBadIdentityRecordIsRefusedNamingTheDirectory() throws Exception {
    Store.create(dir, ID, OPTIONS).close();
    byte[] good = replaceIdentity(null);
    assertEquals(20, good.length);

    replaceIdentity(Arrays.copyOf(good, 5));
    assertOpenFails("store " + dir + ": has a corrupt identity record: identity record has 5"
        + " bytes, not 20");
    replaceIdentity(new byte[20]);
    assertOpenFails("store " + dir + ": has a corrupt identity record: cluster id and store id"
        + " must not be 0");
    replaceIdentity(new byte[0]);
    assertOpenFails("store " + dir + ": has no identity record: not a flotilla store, or its"
        + " creation did not finish");
  }

  @Test
  void garbageCurrentOrManifestIsRefusedNamingTheDirectory() throws Exception {
    Store.create(dir, ID, OPTIONS).close();
    Path current = dir.resolve("CURRENT");
    byte[] good = Files.readAllBytes(current);
    Path manifest = dir.resolve(new String(good, StandardCharsets.US_ASCII).trim());

    Files.write(current, new byte[] {1, 2, 'g', 'a', 'r', 'b', 'a', 'g', 'e'});
    assertOpenFails("store " + dir + ": cannot open: CURRENT file does not end with newline");
    Files.write(current, "MANIFEST-999999\n".getBytes(StandardCharsets.US_ASCII));
    assertOpenFails("store " + dir + ": cannot open: While opening a file for sequentially"
        + " reading: " + dir + "/MANIFEST-999999: No such file or directory");
    Files.write(current, good);
    flipMiddle(manifest);
    assertOpenFails("store " + dir + ": cannot open: checksum mismatch  The file " + manifest
        + " may be corrupted.");
  }

  /**
   * Creates a store with {@value #GROUPS} groups of 500 entries and {@value #DATA_KEYS} data
   * keys, flushes both column families to one SST each, closes it and inverts 16 bytes in the
   * middle of each SST; returns the model of the logs.
   */
  private LogModel flushedStoreWithFlippedSsts() throws Exception {
    LogModel expected = new LogModel(GROUPS);
    try (Store s = Store.create(dir, ID, OPTIONS)) {
      RaftLogStore log = new RaftLogStore(s);
      for (int round = 1; round <= 10; round++) {
        List<BatchPlan.Part> parts = new ArrayList<>();
        for (int g = 1; g <= GROUPS; g++) {
          long first = expected.group(g).lastIndex() + 1;
          parts.add(new BatchPlan.Part(g, null, new BatchPlan.Entries(first, first + 49, 1),
              new RaftHardState(1, g, first)));
        }
        commit(log, new BatchPlan(round, parts), expected);
      }
      try (WriteBatch wb = new WriteBatch()) {
        for (int i = 0; i < DATA_KEYS; i++) {
          wb.put(s.handle(Cf.DATA), key(i), value(i));
        }
        s.write(wb);
      }
      try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
        s.db().flush(fo, List.of(s.handle(Cf.RAFT_LOG), s.handle(Cf.DATA)));
      }
      logSst = onlySst(s, Cf.RAFT_LOG);
      dataSst = onlySst(s, Cf.DATA);
    }
    flipMiddle(dir.resolve(logSst));
    flipMiddle(dir.resolve(dataSst));
    return expected;
  }

  private void assertOpenFails(String message) {
    StoreException e = assertThrows(StoreException.class, () -> Store.open(dir, OPTIONS).close());
    assertEquals(message, e.getMessage());
  }

  // ---- helpers

  private static void commit(RaftLogStore log, BatchPlan p, LogModel model) {
    log.commit(p.toWalBatch());
    model.apply(p);
  }

  private static byte[] key(int i) {
    return ("key-" + i).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] value(int i) {
    return EntryData.of(0, i, 0, 0);
  }

  private static String onlySst(Store s, Cf cf) {
    List<String> names = new ArrayList<>();
    for (LiveFileMetaData f : s.db().getLiveFilesMetaData()) {
      if (new String(f.columnFamilyName(), StandardCharsets.US_ASCII).equals(cf.rocksName())) {
        names.add(f.fileName().replace("/", ""));
      }
    }
    assertEquals(1, names.size(), cf.rocksName() + " SST files: " + names);
    return names.get(0);
  }

  private Path onlyWal() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> wals = files.filter(p -> p.toString().endsWith(".log")).toList();
      assertEquals(1, wals.size(), "WAL files: " + wals);
      return wals.get(0);
    }
  }

  private static void flipMiddle(Path file) throws IOException {
    flip(file, Files.size(file) / 2, 16);
  }

  /** Inverts {@code n} bytes of {@code file} at {@code offset}, in place. */
  private static void flip(Path file, long offset, int n) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(n);
      ch.read(b, offset);
      for (int i = 0; i < n; i++) {
        b.put(i, (byte) ~b.get(i));
      }
      ch.write(b.flip(), offset);
      ch.force(true);
    }
  }

  /**
   * Opens the store's RocksDB directly and replaces the value of the identity record (the one key
   * of the default column family) by {@code raw}, or deletes it if raw is empty; returns the old
   * value. With {@code raw} null it only reads.
   */
  private byte[] replaceIdentity(byte[] raw) throws RocksDBException {
    List<ColumnFamilyDescriptor> ds = new ArrayList<>();
    for (Cf cf : Cf.values()) {
      ds.add(new ColumnFamilyDescriptor(cf.rocksName().getBytes(StandardCharsets.US_ASCII)));
    }
    List<ColumnFamilyHandle> hs = new ArrayList<>();
    try (DBOptions o = new DBOptions();
        RocksDB db = RocksDB.open(o, dir.toString(), ds, hs)) {
      try {
        ColumnFamilyHandle def = hs.get(Cf.DEFAULT.ordinal());
        byte[] key;
        byte[] old;
        try (RocksIterator it = db.newIterator(def)) {
          it.seekToFirst();
          assertTrue(it.isValid(), "the identity record exists");
          key = it.key();
          old = it.value();
          it.next();
          assertFalse(it.isValid(), "the identity is the default column family's only key");
        }
        if (raw != null && raw.length == 0) {
          db.delete(def, key);
        } else if (raw != null) {
          db.put(def, key, raw);
        }
        return old;
      } finally {
        hs.forEach(ColumnFamilyHandle::close);
      }
    }
  }
}
