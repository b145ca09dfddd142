package io.flotilla.kv.mvcc;

import static io.flotilla.kv.mvcc.MvccFixture.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.Cf;
import io.flotilla.kv.StoreOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ReadOptions;
import org.rocksdb.WriteBatch;

/** Percolator's write side: conflicts, idempotence, rollback, status checks and limits. */
class MvccTxnTest {
  @TempDir
  Path dir;
  private MvccFixture f;

  @BeforeEach
  void open() {
    f = new MvccFixture(dir, StoreOptions.DEFAULTS.withMaxKeyBytes(32).withMaxValueBytes(1000),
        false);
  }

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void aCommitAfterOurStartIsAWriteConflictAndNothingIsWritten() {
    f.put("b", "theirs", 20, 25);
    try (ReadOptions ro = new ReadOptions(); WriteBatch batch = new WriteBatch()) {
      var e = assertThrows(MvccException.WriteConflict.class,
          () -> new MvccWriter(f.store, ro, batch).prewrite(
              List.of(Mutation.put(b("a"), b("ours")), Mutation.put(b("b"), b("ours"))),
              b("a"), 10, 3000));
      assertEquals(25, e.conflictCommitTs());
      assertEquals(0, batch.count(), "a failed prewrite adds nothing, not even key a's lock");
    }
    f.prewrite(30, "b", Mutation.put(b("b"), b("later")));
  }

  @Test
  void anotherTransactionsRollbackIsNoConflict() {
    f.rollback(20, "k");
    f.prewrite(10, "k", Mutation.put(b("k"), b("v")));
    f.commit(10, 30, "k");
    assertEquals("v", f.get("k", 30));
  }

  @Test
  void anotherTransactionsLockIsReportedWithItsPrimary() {
    f.prewrite(10, "p", Mutation.put(b("p"), b("1")), Mutation.put(b("k"), b("1")));
    var e = assertThrows(MvccException.KeyLocked.class,
        () -> f.prewrite(20, "k", Mutation.put(b("k"), b("2"))));
    assertEquals("p", MvccFixture.s(e.lock().primary()));
    assertEquals(10, e.lock().startTs());
    assertEquals(Mutation.Kind.PUT, e.lock().kind());
  }

  @Test
  void prewriteAndCommitAreIdempotent() {
    f.prewrite(10, "k", Mutation.put(b("k"), b("v")));
    List<String> locks = f.dump(Cf.LOCK);
    f.prewrite(10, "k", Mutation.put(b("k"), b("v")));
    assertEquals(locks, f.dump(Cf.LOCK));
    f.commit(10, 11, "k");
    List<String> writes = f.dump(Cf.WRITE);
    f.commit(10, 11, "k");
    f.prewrite(10, "k", Mutation.put(b("k"), b("v")));
    assertEquals(writes, f.dump(Cf.WRITE));
    assertEquals(List.of(), f.dump(Cf.LOCK), "a duplicate prewrite after commit must not relock");
    assertEquals("v", f.get("k", 11));
  }

  @Test
  void aRolledBackTransactionCanNeitherPrewriteLateNorCommit() {
    f.rollback(10, "k");
    assertThrows(MvccException.TxnAborted.class,
        () -> f.prewrite(10, "k", Mutation.put(b("k"), b("late"))));
    f.prewrite(20, "j", Mutation.put(b("j"), b("x".repeat(600))));
    f.rollback(20, "j");
    assertEquals(List.of(), f.dump(Cf.LOCK));
    assertEquals(List.of(), f.dump(Cf.DATA), "rollback removes the prewritten value");
    f.rollback(20, "j");
    assertThrows(MvccException.TxnAborted.class, () -> f.commit(20, 21, "j"));
  }

  @Test
  void aCommittedTransactionCannotBeRolledBackAndAnUnknownOneCannotCommit() {
    f.put("k", "v", 10, 11);
    assertThrows(MvccException.TxnCommitted.class, () -> f.rollback(10, "k"));
    assertThrows(MvccException.TxnNotFound.class, () -> f.commit(30, 31, "k"));
    f.prewrite(40, "k", Mutation.put(b("k"), b("w")));
    assertThrows(MvccException.TxnNotFound.class, () -> f.commit(30, 31, "k"),
        "another transaction's lock is not ours to commit");
    assertThrows(IllegalArgumentException.class, () -> f.commit(40, 40, "k"));
  }

  @Test
  void aReaderResolvesTheLocksOfACommittedTransaction() {
    f.prewrite(10, "p", Mutation.put(b("p"), b("1")), Mutation.put(b("s"), b("2")));
    f.commit(10, 11, "p"); // the client crashed before committing s
    var locked = assertThrows(MvccException.KeyLocked.class, () -> f.get("s", 20));
    Lock lock = locked.lock();
    TxnStatus status = f.write(w -> w.checkTxnStatus(lock.primary(), lock.startTs(), 20));
    assertEquals(new TxnStatus.Committed(11), status);
    f.run(w -> w.resolve(locked.key(), lock.startTs(), status));
    assertEquals("2", f.get("s", 20));
    assertEquals("2", f.get("s", 11));
  }

  @Test
  void anExpiredPrimaryIsRolledBackAndALiveOneIsReported() {
    long start = ms(1000);
    f.run(w -> w.prewrite(List.of(Mutation.put(b("p"), b("1")), Mutation.put(b("s"), b("2"))),
        b("p"), start, 500));
    TxnStatus live = f.write(w -> w.checkTxnStatus(b("p"), start, ms(1499)));
    assertEquals(start, assertInstanceOf(TxnStatus.Locked.class, live).lock().startTs());
    assertThrows(IllegalArgumentException.class,
        () -> f.run(w -> w.resolve(b("s"), start, live)));
    TxnStatus expired = f.write(w -> w.checkTxnStatus(b("p"), start, ms(1500)));
    assertEquals(new TxnStatus.RolledBack(), expired);
    f.run(w -> w.resolve(b("s"), start, expired));
    assertEquals(List.of(), f.dump(Cf.LOCK));
    assertThrows(MvccException.TxnAborted.class, () -> f.commit(start, ms(1600), "p"));
    assertEquals(new TxnStatus.RolledBack(),
        f.write(w -> w.checkTxnStatus(b("p"), start, ms(2000))));
  }

  @Test
  void aPrimaryThatNeverArrivedIsRolledBackSoItCannotArriveLate() {
    assertEquals(new TxnStatus.RolledBack(), f.write(w -> w.checkTxnStatus(b("p"), 10, 50)));
    assertThrows(MvccException.TxnAborted.class,
        () -> f.prewrite(10, "p", Mutation.put(b("p"), b("late"))));
  }

  @Test
  void keysAndValuesOverTheLimitsAreRefusedNamingLimitAndSize() {
    String longKey = "k".repeat(33);
    var e = assertThrows(IllegalArgumentException.class,
        () -> f.prewrite(10, "p", Mutation.put(b(longKey), b("v"))));
    assertEquals("key of 33 bytes exceeds the limit maxKeyBytes=32", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> f.prewrite(10, longKey, Mutation.put(b("k"), b("v"))));
    assertEquals("key of 33 bytes exceeds the limit maxKeyBytes=32", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> f.prewrite(10, "k", Mutation.put(b("k"), b("v".repeat(1001)))));
    assertEquals("value of 1001 bytes exceeds the limit maxValueBytes=1000", e.getMessage());
    f.prewrite(10, "k".repeat(32), Mutation.put(b("k".repeat(32)), b("v".repeat(1000))));
  }

  @Test
  void badArgumentsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> f.prewrite(10, "k",
        Mutation.put(b("k"), b("1")), Mutation.delete(b("k"))));
    assertThrows(IllegalArgumentException.class, () -> f.run(
        w -> w.prewrite(List.of(Mutation.delete(b("k"))), b("k"), 10, -1)));
    assertThrows(IllegalArgumentException.class, () -> f.prewrite(0, "k", Mutation.lock(b("k"))));
    assertThrows(IllegalArgumentException.class, () -> new Mutation(Mutation.Kind.PUT, b("k"),
        null));
    assertThrows(IllegalArgumentException.class, () -> new Mutation(Mutation.Kind.DELETE, b("k"),
        b("v")));
  }

  @Test
  void aTimestampUsedTwiceIsRefusedRatherThanOverwritingACommit() {
    f.put("k", "v", 10, 20);
    var e = assertThrows(IllegalStateException.class, () -> f.rollback(20, "k"));
    assertTrue(e.getMessage().contains("must be unique"), e.getMessage());
    assertEquals("v", f.get("k", 20));
  }

  /** A TSO timestamp at {@code millis} physical milliseconds. */
  private static long ms(long millis) {
    return millis << Timestamps.LOGICAL_BITS;
  }
}
