package io.flotilla.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftLogStoreTest {
  @TempDir
  Path dir;

  private static final StoreIdentity ID = new StoreIdentity(1, 1, Store.FORMAT_VERSION);

  private static List<LogEntry> entries(long from, long to, long term) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(new LogEntry(i, term, (byte) 0, ("e" + term + "/" + i).getBytes(
          StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static String data(LogEntry e) {
    return new String(e.data(), StandardCharsets.UTF_8);
  }

  @Test
  void entriesAndHardStatesOfManyGroupsSurviveReopen() {
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS)) {
      RaftLogStore log = new RaftLogStore(s);
      WalBatch b = new WalBatch();
      for (long g = 1; g <= 100; g++) {
        b.append(g, entries(1, 5, 1)).setHardState(g, new RaftHardState(1, g, 3));
      }
      log.commit(b);
      assertEquals(new WalStats(1, 1, 100, 500, log.stats().bytes()), log.stats());
    }
    try (Store s = Store.open(dir, StoreOptions.DEFAULTS)) {
      RaftLogStore log = new RaftLogStore(s);
      for (long g = 1; g <= 100; g++) {
        GroupLog gl = log.group(g);
        assertEquals(1, gl.firstIndex());
        assertEquals(5, gl.lastIndex());
        assertEquals(new RaftHardState(1, g, 3), gl.hardState());
        assertEquals("e1/4", data(gl.entries(4, 5, Long.MAX_VALUE).get(0)));
      }
      assertEquals(0, log.group(101).lastIndex());
    }
  }

  @Test
  void aBatchThatOnlyMovesCommitIndexesSkipsTheFsyncButIsWritten() {
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS)) {
      RaftLogStore log = new RaftLogStore(s);
      log.commit(new WalBatch().append(1, entries(1, 5, 1))
          .setHardState(1, new RaftHardState(1, 1, 0)));
      assertEquals(1, log.stats().syncs());
      WalBatch commitOnly = new WalBatch().setHardState(1, new RaftHardState(1, 1, 5), false);
      assertFalse(commitOnly.syncRequired());
      log.commit(commitOnly);
      assertEquals(1, log.stats().syncs(), "a commit-index move costs no fsync");
      log.commit(new WalBatch().setHardState(1, new RaftHardState(2, 3, 5), true));
      assertEquals(2, log.stats().syncs(), "a new term or vote is synced");
    }
    try (Store s = Store.open(dir, StoreOptions.DEFAULTS)) {
      assertEquals(new RaftHardState(2, 3, 5), new RaftLogStore(s).group(1).hardState());
    }
  }

  @Test
  void aConflictingAppendDiscardsTheOldSuffixOnDiskToo() {
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS)) {
      RaftLogStore log = new RaftLogStore(s);
      log.commit(new WalBatch().append(7, entries(1, 10, 1)));
      log.commit(new WalBatch().append(7, entries(4, 5, 2)));
      assertEquals(5, log.group(7).lastIndex());
    }
    try (Store s = Store.open(dir, StoreOptions.DEFAULTS)) {
      GroupLog gl = new RaftLogStore(s).group(7);
      assertEquals(5, gl.lastIndex(), "entries 6..10 of term 1 are gone from disk");
      assertEquals(List.of("e1/1", "e1/2", "e1/3", "e2/4", "e2/5"),
          gl.entries(1, 6, Long.MAX_VALUE).stream().map(RaftLogStoreTest::data).toList());
    }
  }

  @Test
  void laterAppendsInOneBatchReplaceEarlierOnes() {
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS)) {
      RaftLogStore log = new RaftLogStore(s);
      log.commit(new WalBatch().append(3, entries(1, 6, 1)).append(3, entries(3, 4, 2)));
      GroupLog gl = log.group(3);
      assertEquals(4, gl.lastIndex());
      assertEquals(2, gl.term(3));
    }
  }

  @Test
  void readsRespectByteLimitsButReturnAtLeastOneEntry() {
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS.withEntryCacheBytes(0))) {
      RaftLogStore log = new RaftLogStore(s);
      log.commit(new WalBatch().append(1, entries(1, 20, 1)));
      GroupLog gl = log.group(1);
      assertEquals(1, gl.entries(1, 21, 1).size());
      int one = gl.entries(1, 2, Long.MAX_VALUE).get(0).sizeBytes();
      assertEquals(3, gl.entries(1, 21, 3L * one).size());
      assertEquals(20, gl.entries(1, 21, Long.MAX_VALUE).size());
    }
  }

  @Test
  void compactionMovesTheFirstIndexAndRefusesReadsBelowIt() {
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS)) {
      RaftLogStore log = new RaftLogStore(s);
      log.commit(new WalBatch().append(1, entries(1, 10, 3)));
      log.compact(1, 6, new byte[] {42});
      GroupLog gl = log.group(1);
      assertEquals(7, gl.firstIndex());
      assertEquals(3, gl.term(6), "the term of the truncated index stays known");
      assertThrows(LogCompactedException.class, () -> gl.term(5));
      assertThrows(LogCompactedException.class, () -> gl.entries(6, 8, Long.MAX_VALUE));
      assertThrows(IllegalArgumentException.class, () -> gl.entries(7, 12, Long.MAX_VALUE));
    }
    try (Store s = Store.open(dir, StoreOptions.DEFAULTS)) {
      GroupLog gl = new RaftLogStore(s).group(1);
      assertEquals(7, gl.firstIndex());
      assertEquals(10, gl.lastIndex());
      assertArrayEquals(new byte[] {42}, gl.truncatedState().membership());
    }
  }

  @Test
  void aSnapshotReplacesTheWholeLog() {
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS)) {
      RaftLogStore log = new RaftLogStore(s);
      log.commit(new WalBatch().append(2, entries(1, 4, 1)));
      log.commit(new WalBatch().installSnapshot(2, new TruncatedState(50, 4, new byte[0]))
          .append(2, entries(51, 52, 4)));
    }
    try (Store s = Store.open(dir, StoreOptions.DEFAULTS)) {
      GroupLog gl = new RaftLogStore(s).group(2);
      assertEquals(51, gl.firstIndex());
      assertEquals(52, gl.lastIndex());
      assertEquals(4, gl.term(50));
      assertEquals("e4/51", data(gl.entries(51, 52, Long.MAX_VALUE).get(0)));
    }
  }

  @Test
  void aBatchWithAGapFailsAloneAndWritesNothing() {
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS)) {
      RaftLogStore log = new RaftLogStore(s);
      log.commit(new WalBatch().append(1, entries(1, 3, 1)));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> log.commit(new WalBatch().append(1, entries(6, 7, 1))));
      assertTrue(e.getMessage().contains("gap"), e.getMessage());
      assertEquals(3, log.group(1).lastIndex());
      log.commit(new WalBatch().append(1, entries(4, 4, 1)));
      assertEquals(4, log.group(1).lastIndex());
    }
  }

  @Test
  void concurrentCommittersShareFsyncs() throws Exception {
    int threads = 8;
    int perThread = 200;
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS)) {
      RaftLogStore log = new RaftLogStore(s);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long group = t + 1;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 1; i <= perThread; i++) {
            log.commit(new WalBatch().append(group, entries(i, i, 1))
                .setHardState(group, new RaftHardState(1, 0, i)));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      WalStats st = log.stats();
      assertEquals(threads * perThread, st.batches());
      assertTrue(st.syncs() <= st.batches(), st.toString());
      System.out.println("group commit: " + st);
    }
    try (Store s = Store.open(dir, StoreOptions.DEFAULTS)) {
      RaftLogStore log = new RaftLogStore(s);
      for (long g = 1; g <= threads; g++) {
        assertEquals(perThread, log.group(g).lastIndex());
        assertEquals(perThread, log.group(g).hardState().commit());
      }
    }
  }

  @Test
  void anEntryOverTheSizeLimitIsRefusedByName() {
    try (Store s = Store.create(dir, ID, StoreOptions.DEFAULTS.withMaxValueBytes(100))) {
      RaftLogStore log = new RaftLogStore(s);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> log.commit(new WalBatch().append(4, List.of(
              new LogEntry(1, 1, (byte) 0, new byte[101])))));
      assertEquals("group 4: log entry 1 has 101 bytes, over the limit of 100 (store option"
          + " maxValueBytes)", e.getMessage());
      assertEquals(0, log.group(4).lastIndex());
    }
  }
}
