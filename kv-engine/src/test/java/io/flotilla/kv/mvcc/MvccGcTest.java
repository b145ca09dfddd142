package io.flotilla.kv.mvcc;

import static io.flotilla.kv.mvcc.MvccFixture.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.Cf;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GC by example; {@link MvccHistoryProperties} checks it against random histories. */
class MvccGcTest {
  private static final String BIG = "x".repeat(1000);
  @TempDir
  Path dir;
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
  void keepsTheVersionVisibleAtTheSafePointAndEverythingNewer() {
    f.put("k", BIG + 1, 10, 11);
    f.put("k", BIG + 2, 20, 21);
    f.rollback(25, "k");
    f.put("k", BIG + 3, 30, 31);
    f.put("k", BIG + 4, 40, 41);
    GcResult r = f.gc(b(""), b(""), 35, 100);
    assertEquals(1, r.keys());
    assertEquals(3, r.writesRemoved(), "versions 11 and 21 and the rollback at 25");
    assertEquals(2, r.dataRemoved());
    assertNull(r.resumeKey());
    assertEquals(BIG + 3, f.get("k", 35));
    assertEquals(BIG + 4, f.get("k", 41));
    assertEquals(2, f.dump(Cf.DATA).size());
    var e = assertThrows(MvccException.BelowSafePoint.class, () -> f.get("k", 34));
    assertTrue(e.getMessage().contains("below the GC safe point 35"), e.getMessage());
    assertThrows(MvccException.BelowSafePoint.class, () -> f.scan("", "", 34, 10, true));
  }

  @Test
  void aDeleteAtOrBelowTheSafePointGoesWithEverythingOlder() {
    f.put("k", BIG, 10, 11);
    f.prewrite(20, "k", Mutation.delete(b("k")));
    f.commit(20, 21, "k");
    f.put("j", "short", 30, 31);
    GcResult r = f.gc(b(""), b(""), 21, 100);
    assertEquals(2, r.keys());
    assertEquals(2, r.writesRemoved(), "the delete and the put below it");
    assertEquals(1, r.dataRemoved());
    assertEquals(List.of(), f.dump(Cf.DATA));
    assertNull(f.get("k", 21));
    assertEquals("short", f.get("j", 31));
  }

  @Test
  void locksAreNeverTouchedAndPrewritesAtOrBelowTheSafePointAreRefused() {
    f.put("k", "v", 10, 11);
    f.put("k", "w", 12, 13);
    f.prewrite(15, "k", Mutation.put(b("k"), b(BIG)));
    List<String> locks = f.dump(Cf.LOCK);
    List<String> data = f.dump(Cf.DATA);
    MvccException.KeyLocked blocked = assertThrows(MvccException.KeyLocked.class,
        () -> f.gc(b(""), b(""), 20, 100));
    assertEquals(15, blocked.lock().startTs(), "a lock at or below the safe point is named");
    f.gc(b(""), b(""), 14, 100);
    assertEquals(locks, f.dump(Cf.LOCK));
    assertEquals(data, f.dump(Cf.DATA), "the pending transaction's value stays");
    f.commit(15, 21, "k");
    f.gc(b(""), b(""), 20, 100);
    assertEquals(BIG, f.get("k", 21));
    assertThrows(MvccException.BelowSafePoint.class,
        () -> f.prewrite(20, "j", Mutation.put(b("j"), b("v"))));
    f.prewrite(22, "j", Mutation.put(b("j"), b("v")));
  }

  @Test
  void anUnknownOutcomeBelowTheSafePointIsNotGuessed() {
    f.gc(b(""), b(""), 50, 100);
    assertThrows(MvccException.BelowSafePoint.class,
        () -> f.write(w -> w.checkTxnStatus(b("p"), 10, 60)));
  }

  @Test
  void theSafePointNeverMovesBack() {
    f.gc(b(""), b(""), 50, 100);
    f.gc(b(""), b(""), 50, 100);
    var e = assertThrows(IllegalArgumentException.class, () -> f.gc(b(""), b(""), 49, 100));
    assertEquals("the GC safe point cannot move back from 50 to 49", e.getMessage());
    assertEquals(50, f.read(MvccReader::safePoint));
  }

  @Test
  void aBoundedRunResumesWhereItStoppedAndHonoursTheSpan() {
    for (int k = 0; k < 10; k++) {
      f.put("k" + k, "old", 10 + 4 * k, 11 + 4 * k);
      f.put("k" + k, "new", 12 + 4 * k, 13 + 4 * k);
    }
    GcResult first = f.gc(b("k2"), b("k8"), 100, 4);
    assertEquals(4, first.keys());
    assertEquals("k6", MvccFixture.s(first.resumeKey()));
    GcResult rest = f.gc(first.resumeKey(), b("k8"), 100, 4);
    assertEquals(2, rest.keys());
    assertNull(rest.resumeKey());
    assertEquals(6, first.writesRemoved() + rest.writesRemoved());
    assertEquals(14, f.dump(Cf.WRITE).size(), "k0, k1, k8, k9 keep both versions");
  }
}
