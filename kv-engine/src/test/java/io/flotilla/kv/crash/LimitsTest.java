package io.flotilla.kv.crash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.LogEntry;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.WalBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raft log entries over {@link StoreOptions#maxValueBytes} are refused with an error that names
 * the group, the entry, its size and the limit; entries of exactly the limit are stored and read
 * back whole: issue #3, item 7. (Raft-log keys are fixed 16-byte (group, index) pairs, so
 * {@code maxKeyBytes} does not apply to them.)
 */
class LimitsTest {
  private static final StoreIdentity ID = new StoreIdentity(0x11L, 4, Store.FORMAT_VERSION);

  @TempDir
  Path dir;

  @Test
  void anEntryOverTheLimitIsRefusedByNameAndHarmsNothing() {
    int limit = 64 << 10;
    StoreOptions options = StoreOptions.DEFAULTS.withMaxValueBytes(limit).withEntryCacheBytes(0);
    byte[] atLimit = bytes(limit, 1);
    try (Store s = Store.create(dir, ID, options)) {
      RaftLogStore log = new RaftLogStore(s);
      log.commit(new WalBatch().append(1, List.of(new LogEntry(1, 1, (byte) 0, atLimit))));

      WalBatch over = new WalBatch()
          .append(2, List.of(new LogEntry(1, 1, (byte) 0, bytes(10, 2))))
          .append(3, List.of(new LogEntry(1, 1, (byte) 0, bytes(9, 3)),
              new LogEntry(2, 1, (byte) 0, bytes(limit + 1, 4))));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> log.commit(over));
      String m = e.getMessage();
      assertTrue(m.contains("group 3") && m.contains("entry 2") && m.contains("65537")
          && m.contains("65536") && m.contains("maxValueBytes"), m);
      assertEquals(0, log.group(2).lastIndex(), "nothing of the refused batch is written");
      assertEquals(0, log.group(3).lastIndex(), "nothing of the refused batch is written");

      log.commit(new WalBatch().append(2, List.of(new LogEntry(1, 1, (byte) 0, bytes(10, 5)))));
      assertEquals(1, log.group(2).lastIndex(), "a refused batch does not stop the log store");
    }
    try (Store s = Store.open(dir, options)) {
      RaftLogStore log = new RaftLogStore(s);
      assertArrayEquals(atLimit, log.group(1).entries(1, 2, Long.MAX_VALUE).get(0).data());
      assertEquals(0, log.group(3).lastIndex());
    }
  }

  @Test
  void anEntryOfTheDefaultLimitRoundTripsAndOneByteMoreIsRefused() {
    int limit = StoreOptions.DEFAULTS.maxValueBytes();
    byte[] atLimit = bytes(limit, 6);
    StoreOptions options = StoreOptions.DEFAULTS.withEntryCacheBytes(0);
    try (Store s = Store.create(dir, ID, options)) {
      RaftLogStore log = new RaftLogStore(s);
      log.commit(new WalBatch().append(7, List.of(new LogEntry(1, 1, (byte) 0, atLimit))));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> log.commit(new WalBatch().append(7, List.of(
              new LogEntry(2, 1, (byte) 0, new byte[limit + 1])))));
      assertTrue(e.getMessage().contains(Integer.toString(limit)), e.getMessage());
    }
    try (Store s = Store.open(dir, options)) {
      RaftLogStore log = new RaftLogStore(s);
      assertEquals(1, log.group(7).lastIndex());
      assertArrayEquals(atLimit, log.group(7).entries(1, 2, Long.MAX_VALUE).get(0).data());
    }
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }
}
