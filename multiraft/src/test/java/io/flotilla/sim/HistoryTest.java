package io.flotilla.sim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.raft.ProposalId;
import org.junit.jupiter.api.Test;

/** The incremental linearizability check on hand-made histories. */
class HistoryTest {
  private final History h = new History();

  private History.Op put(int key, long index) {
    long id = h.newId();
    History.Op op = h.invokePut(id, 1, key, new ProposalId(1, index), 1, 0);
    return op;
  }

  @Test
  void readOfLatestAcknowledgedWriteIsFine() {
    History.Op w = put(0, 5);
    h.onWriteLogged(w.id, 0, 5);
    h.completePut(w, History.Status.OK);
    History.Op r = h.invokeGet(h.newId(), 2, 0, 2);
    assertDoesNotThrow(() -> h.completeGet(r, w.id, 5));
    assertTrue(h.checkWithGeneralChecker(10_000).isLinearizable());
  }

  @Test
  void readOfOlderValueAfterAcknowledgedWriteIsStale() {
    History.Op w1 = put(0, 5);
    h.onWriteLogged(w1.id, 0, 5);
    h.completePut(w1, History.Status.OK);
    History.Op w2 = put(0, 6);
    h.onWriteLogged(w2.id, 0, 6);
    h.completePut(w2, History.Status.OK);
    History.Op r = h.invokeGet(h.newId(), 2, 0, 2);
    SimViolation v = assertThrows(SimViolation.class, () -> h.completeGet(r, w1.id, 5));
    assertTrue(v.description().startsWith("stale read"), v.getMessage());
  }

  @Test
  void absentAfterAcknowledgedWriteIsStale() {
    History.Op w = put(1, 3);
    h.onWriteLogged(w.id, 1, 3);
    h.completePut(w, History.Status.OK);
    History.Op r = h.invokeGet(h.newId(), 2, 1, 2);
    assertThrows(SimViolation.class, () -> h.completeGet(r, 0, 0));
  }

  @Test
  void concurrentWriteMayOrMayNotBeSeen() {
    History.Op w = put(0, 4);
    History.Op r1 = h.invokeGet(h.newId(), 2, 0, 2);
    h.onWriteLogged(w.id, 0, 4);
    assertDoesNotThrow(() -> h.completeGet(r1, 0, 0));
    History.Op r2 = h.invokeGet(h.newId(), 3, 0, 3);
    assertDoesNotThrow(() -> h.completeGet(r2, w.id, 4));
    h.completePut(w, History.Status.UNKNOWN);
    assertTrue(h.checkWithGeneralChecker(10_000).isLinearizable());
  }

  @Test
  void laterReadMustNotGoBackInTime() {
    History.Op w = put(0, 4);
    h.onWriteLogged(w.id, 0, 4);
    History.Op r1 = h.invokeGet(h.newId(), 2, 0, 2);
    h.completeGet(r1, w.id, 4);
    History.Op r2 = h.invokeGet(h.newId(), 3, 0, 3);
    assertThrows(SimViolation.class, () -> h.completeGet(r2, 0, 0));
  }

  @Test
  void readNamingTheWrongIndexIsCaught() {
    History.Op w = put(0, 4);
    h.onWriteLogged(w.id, 0, 4);
    History.Op r = h.invokeGet(h.newId(), 2, 0, 2);
    assertThrows(SimViolation.class, () -> h.completeGet(r, w.id, 7));
  }

  @Test
  void writeReportedFailedMustNeverApply() {
    History.Op w = put(0, 4);
    h.completePut(w, History.Status.FAILED);
    assertThrows(SimViolation.class, () -> h.onWriteLogged(w.id, 0, 4));
  }
}
