package io.flotilla.kv.mvcc;

import static io.flotilla.kv.mvcc.MvccFixture.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.StoreOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction committed in one step (all its keys in one range) and the heartbeat that keeps a
 * long two-phase transaction's primary lock alive.
 */
class MvccTxnOnePhaseTest {
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
  void aOnePhaseCommitIsVisibleFromItsCommitTsWithItsOutcomeOnEveryKey() {
    f.run(w -> w.commitOnePhase(List.of(Mutation.put(b("a"), b("1")),
        Mutation.put(b("b"), b("x".repeat(600))), Mutation.delete(b("c"))), 10, 12));
    assertNull(f.get("a", 11));
    assertEquals("1", f.get("a", 12));
    assertEquals("x".repeat(600), f.get("b", 12), "a long value lives in a DATA record");
    assertEquals(List.of(), f.dump(io.flotilla.kv.Cf.LOCK), "no lock is ever written");
    TxnStatus status = f.write(w -> w.checkTxnStatus(b("a"), 10, 100));
    assertEquals(new TxnStatus.Committed(12), status, "the outcome is found by its start ts");
  }

  @Test
  void aOnePhaseCommitRefusesWhatAPrewriteRefusesAndAddsNothing() {
    f.put("a", "old", 20, 21);
    f.prewrite(30, "b", Mutation.put(b("b"), b("locked")));
    assertThrows(MvccException.WriteConflict.class, () -> f.run(w -> w.commitOnePhase(
        List.of(Mutation.put(b("c"), b("1")), Mutation.put(b("a"), b("1"))), 15, 40)));
    assertThrows(MvccException.KeyLocked.class, () -> f.run(w -> w.commitOnePhase(
        List.of(Mutation.put(b("c"), b("1")), Mutation.put(b("b"), b("1"))), 35, 40)));
    assertNull(f.get("c", 100), "a refused commit wrote none of its keys");
    f.rollback(50, "d");
    assertThrows(MvccException.TxnAborted.class, () -> f.run(w -> w.commitOnePhase(
        List.of(Mutation.put(b("d"), b("1"))), 50, 60)));
  }

  @Test
  void aOnePhaseCommitRetriedIsANoOpAndATwoPhaseKeyIsRefused() {
    List<Mutation> m = List.of(Mutation.put(b("a"), b("1")));
    f.run(w -> w.commitOnePhase(m, 10, 12));
    f.run(w -> w.commitOnePhase(m, 10, 12));
    assertEquals("1", f.get("a", 12));
    f.prewrite(20, "k", Mutation.put(b("k"), b("v")));
    var e = assertThrows(IllegalArgumentException.class, () -> f.run(w -> w.commitOnePhase(
        List.of(Mutation.put(b("k"), b("v"))), 20, 25)));
    assertTrue(e.getMessage().contains("two phases"), e.getMessage());
  }

  @Test
  void aHeartbeatLengthensThePrimaryLocksTtlAndNeverShortensIt() {
    long start = 1_000L << Timestamps.LOGICAL_BITS;
    f.run(w -> w.prewrite(List.of(Mutation.put(b("p"), b("v"))), b("p"), start, 3000));
    assertEquals(10_000L, (long) f.write(w -> w.heartbeat(b("p"), start, 10_000)));
    assertEquals(10_000L, (long) f.write(w -> w.heartbeat(b("p"), start, 5_000)));
    long after5s = 6_000L << Timestamps.LOGICAL_BITS;
    assertInstanceOf(TxnStatus.Locked.class, f.write(w -> w.checkTxnStatus(b("p"), start,
        after5s)), "without the heartbeat the lock would have expired at 3 s");
    f.run(w -> w.commit(List.of(b("p")), start, start + 1));
    assertThrows(MvccException.TxnCommitted.class,
        () -> f.run(w -> w.heartbeat(b("p"), start, 20_000)));
    assertThrows(MvccException.TxnNotFound.class,
        () -> f.run(w -> w.heartbeat(b("q"), start, 20_000)));
  }
}
