package io.flotilla.kv.mvcc;

import static io.flotilla.kv.mvcc.MvccFixture.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flotilla.kv.StoreOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single-key writes committed in one step: visible at their timestamp, refused on conflict. */
class MvccOnePhaseTest {
  @TempDir
  Path dir;
  private MvccFixture f;

  @BeforeEach
  void open() {
    f = new MvccFixture(dir, StoreOptions.DEFAULTS, false);
  }

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void aWriteIsVisibleFromItsTimestampOn() {
    f.run(w -> w.writeCommitted(Mutation.put(b("k"), b("v1")), 10));
    f.run(w -> w.writeCommitted(Mutation.put(b("k"), b("x".repeat(600))), 20));
    f.run(w -> w.writeCommitted(Mutation.delete(b("k")), 30));
    assertNull(f.get("k", 9));
    assertEquals("v1", f.get("k", 10));
    assertEquals("x".repeat(600), f.get("k", 25), "a long value lives in a DATA record");
    assertNull(f.get("k", 30));
  }

  @Test
  void aWriteAtOrBeforeTheNewestCommitIsAConflict() {
    f.run(w -> w.writeCommitted(Mutation.put(b("k"), b("v1")), 10));
    assertThrows(MvccException.WriteConflict.class,
        () -> f.run(w -> w.writeCommitted(Mutation.put(b("k"), b("v0")), 10)));
    assertEquals("v1", f.get("k", 100));
  }

  @Test
  void aLockedKeyIsRefused() {
    f.prewrite(5, "k", Mutation.put(b("k"), b("txn")));
    assertThrows(MvccException.KeyLocked.class,
        () -> f.run(w -> w.writeCommitted(Mutation.put(b("k"), b("plain")), 10)));
  }

  @Test
  void theNewestWritePathStillRefusesALockAndWritesTheSameRecords() {
    f.run(w -> w.writeNewest(Mutation.put(b("k"), b("v1")), 10));
    f.run(w -> w.writeNewest(Mutation.put(b("k"), b("x".repeat(600))), 20));
    assertEquals("v1", f.get("k", 15));
    assertEquals("x".repeat(600), f.get("k", 25));
    f.prewrite(30, "k", Mutation.put(b("k"), b("txn")));
    assertThrows(MvccException.KeyLocked.class,
        () -> f.run(w -> w.writeNewest(Mutation.put(b("k"), b("plain")), 40)));
  }
}
