package io.flotilla.kv.mvcc;

import static io.flotilla.kv.mvcc.MvccFixture.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.Cf;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ReadOptions;

/** Snapshot reads: what a read at a timestamp sees, and where locks stop it. */
class MvccReadTest {
  @TempDir
  java.nio.file.Path dir;
  private MvccFixture f;

  @BeforeEach
  void open() {
    f = MvccFixture.in(dir);
  }

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void aReadSeesExactlyTheVersionsCommittedAtOrBeforeItsTimestamp() {
    f.put("k", "v1", 10, 11);
    f.put("k", "v2", 20, 21);
    f.prewrite(30, "k", Mutation.delete(b("k")));
    f.commit(30, 31, "k");
    f.put("k", "v3", 40, 41);
    long[] ts = {1, 10, 11, 20, 21, 30, 31, 40, 41, Long.MAX_VALUE};
    String[] expected = {null, null, "v1", "v1", "v2", "v2", null, null, "v3", "v3"};
    for (int i = 0; i < ts.length; i++) {
      assertEquals(expected[i], f.get("k", ts[i]), "read at " + ts[i]);
    }
  }

  @Test
  void aReaderKeepsTheStateOfItsSnapshot() {
    f.put("k", "old", 10, 11);
    org.rocksdb.Snapshot before = f.store.db().getSnapshot();
    try (ReadOptions ro = new ReadOptions().setSnapshot(before)) {
      f.put("k", "new", 20, 21);
      assertEquals("old", MvccFixture.s(new MvccReader(f.store, ro).get(b("k"), 100)));
      assertEquals("new", f.get("k", 100));
    } finally {
      f.store.db().releaseSnapshot(before);
    }
  }

  @Test
  void aPendingWriteBlocksReadsAtOrAfterItsStartOnly() {
    f.put("k", "committed", 10, 11);
    f.prewrite(20, "k", Mutation.put(b("k"), b("pending")));
    assertEquals("committed", f.get("k", 19));
    var e = assertThrows(MvccException.KeyLocked.class, () -> f.get("k", 20));
    assertEquals(20, e.lock().startTs());
    assertEquals("k", MvccFixture.s(e.lock().primary()));
    assertEquals("k", MvccFixture.s(e.key()));
    assertThrows(MvccException.KeyLocked.class, () -> f.scan("", "", 25, 10, false));
    assertThrows(MvccException.KeyLocked.class, () -> f.scan("", "", 25, 10, true));
    assertEquals(List.of("k=committed"), f.scan("", "", 19, 10, true));
  }

  @Test
  void aLockOnANewKeyStopsAScanThatReachesIt() {
    f.put("a", "1", 10, 11);
    f.put("c", "3", 12, 13);
    f.prewrite(20, "b", Mutation.put(b("b"), b("2")));
    assertThrows(MvccException.KeyLocked.class, () -> f.scan("a", "c", 30, 10, false));
    assertEquals(List.of("a=1"), f.scan("a", "c", 30, 1, false));
    assertEquals(List.of("c=3"), f.scan("a", "", 30, 1, true));
    assertEquals(List.of("c=3"), f.scan("c", "", 30, 10, false));
    f.commit(20, 21, "b");
    assertEquals(List.of("a=1", "b=2", "c=3"), f.scan("", "", 30, 10, false));
  }

  @Test
  void aLockOnlyLockDoesNotBlockReaders() {
    f.put("k", "v", 10, 11);
    f.prewrite(20, "k", Mutation.lock(b("k")));
    assertEquals("v", f.get("k", 30));
    f.commit(20, 21, "k");
    assertEquals("v", f.get("k", 30));
  }

  @Test
  void keysWithZeroBytesAndTheEmptyKeyKeepTheirOrder() {
    String[] keys = {"", "\0", "\0\0", "\0\u0001", "a", "a\0", "a\0\0", "a\u00ff", "b"};
    long ts = 10;
    for (String k : keys) {
      f.put(k, "v" + k.length(), ts, ts + 1);
      ts += 2;
    }
    List<String> forward = f.scan("", "", ts, 100, false);
    assertEquals(keys.length, forward.size());
    for (int i = 0; i < keys.length; i++) {
      assertEquals(keys[i] + "=v" + keys[i].length(), forward.get(i));
    }
    assertEquals(List.of("a=v1", "a\0=v2"), f.scan("a", "a\0\0", ts, 100, false));
    assertEquals(List.of("a\0=v2", "a=v1"), f.scan("a", "a\0\0", ts, 100, true));
  }

  @Test
  void scansPageThroughManyVersionsWithLimitsInBothDirections() {
    Random rnd = new Random(42);
    long ts = 1;
    List<long[]> commits = new ArrayList<>(); // {key index, commit ts, value}
    for (int round = 0; round < 20; round++) {
      for (int k = 0; k < 50; k++) {
        if (rnd.nextInt(3) > 0) {
          f.put(key(k), round + "", ts, ts + 1);
          commits.add(new long[] {k, ts + 1, round});
        }
        ts += 2;
      }
    }
    for (long readTs : new long[] {ts / 4, ts / 2, ts}) {
      List<String> expected = new ArrayList<>();
      for (int k = 0; k < 50; k++) {
        String value = null;
        for (long[] c : commits) {
          if (c[0] == k && c[1] <= readTs) {
            value = key(k) + "=" + c[2];
          }
        }
        if (value != null) {
          expected.add(value);
        }
      }
      assertEquals(expected, page(readTs, 7, false));
      assertEquals(expected.reversed(), page(readTs, 7, true));
    }
  }

  @Test
  void valuesUpToTheShortLimitLiveInTheLockAndWriteRecordLargerOnesInData() {
    String small = "s".repeat(MvccWriter.SHORT_VALUE_MAX_BYTES);
    String large = "L".repeat(MvccWriter.SHORT_VALUE_MAX_BYTES + 1);
    f.put("small", small, 10, 11);
    assertEquals(0, f.dump(Cf.DATA).size());
    f.put("large", large, 12, 13);
    assertEquals(1, f.dump(Cf.DATA).size());
    assertEquals(small, f.get("small", 20));
    assertEquals(large, f.get("large", 20));
  }

  @Test
  void corruptRecordsAreReportedByType() {
    f.put("k", "v", 10, 11);
    byte[] key = MvccKeys.encodeUserKey(b("k"));
    putRaw(Cf.WRITE, MvccKeys.version(key, 11), b("\u0009junk"));
    var e = assertThrows(CorruptRecordException.class, () -> f.get("k", 20));
    assertTrue(e.getMessage().startsWith("corrupt write record: format version 9"),
        e.getMessage());
    putRaw(Cf.LOCK, key, b("\u0001\u0007"));
    e = assertThrows(CorruptRecordException.class, () -> f.get("k", 20));
    assertTrue(e.getMessage().startsWith("corrupt lock record: unknown kind 7"), e.getMessage());
  }

  @Test
  void aWriteRecordWithoutItsDataIsCorruptionNotAMissingValue() {
    f.put("k", "x".repeat(1000), 10, 11);
    byte[] key = MvccKeys.encodeUserKey(b("k"));
    deleteRaw(Cf.DATA, MvccKeys.version(key, 10));
    var e = assertThrows(CorruptRecordException.class, () -> f.get("k", 20));
    assertTrue(e.getMessage().contains("corrupt data record: missing"), e.getMessage());
  }

  @Test
  void timestampsAndLimitsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> f.get("k", 0));
    assertThrows(IllegalArgumentException.class, () -> f.scan("", "", 5, 0, false));
    assertNull(f.get("never-written", 5));
  }

  private List<String> page(long readTs, int limit, boolean reverse) {
    List<String> all = new ArrayList<>();
    String start = "";
    String end = "";
    while (true) {
      List<String> page = f.scan(start, end, readTs, limit, reverse);
      all.addAll(page);
      if (page.size() < limit) {
        return all;
      }
      String last = page.getLast().substring(0, page.getLast().indexOf('='));
      if (reverse) {
        end = last;
      } else {
        start = last + "\0";
      }
    }
  }

  private static String key(int k) {
    return String.format("key%03d", k);
  }

  private void putRaw(Cf cf, byte[] key, byte[] value) {
    try {
      f.store.db().put(f.store.handle(cf), key, value);
    } catch (org.rocksdb.RocksDBException e) {
      throw new AssertionError(e);
    }
  }

  private void deleteRaw(Cf cf, byte[] key) {
    try {
      f.store.db().delete(f.store.handle(cf), key);
    } catch (org.rocksdb.RocksDBException e) {
      throw new AssertionError(e);
    }
  }
}
