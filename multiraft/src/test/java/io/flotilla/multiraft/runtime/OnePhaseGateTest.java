package io.flotilla.multiraft.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OnePhaseGateTest {
  @Test
  void nothingIsAdmittedUntilTheTermSyncedWithTheTso() {
    OnePhaseGate g = new OnePhaseGate();
    assertNotNull(g.refusal(100, 3), "a new leader knows nothing of earlier leaders' reads");
    assertTrue(g.startSync(3, 0));
    assertFalse(g.startSync(3, 1), "one sync at a time");
    g.synced(3, 0, 50, true);
    assertNull(g.refusal(100, 3));
    assertNotNull(g.refusal(50, 3), "at or below the TSO timestamp is refused");
    assertNotNull(g.refusal(100, 4), "another term syncs again");
  }

  @Test
  void aCommitAtOrBelowAServedReadIsRefused() {
    OnePhaseGate g = synced(3, 10);
    g.observeRead(200);
    assertNotNull(g.refusal(200, 3));
    assertNotNull(g.refusal(150, 3));
    assertNull(g.refusal(201, 3));
  }

  @Test
  void aReadWaitsForTheAdmittedCommitsAtOrBelowItsTimestampOnly() {
    OnePhaseGate g = synced(3, 10);
    g.proposed(7, 100);
    g.proposed(9, 300);
    assertEquals(0, g.barrier(99));
    assertEquals(7, g.barrier(100));
    assertEquals(7, g.barrier(299));
    assertEquals(9, g.barrier(300));
    g.applied(7);
    assertEquals(0, g.barrier(299), "index 7 applied: nothing left below 299");
    assertEquals(9, g.barrier(1000));
  }

  @Test
  void losingLeadershipForgetsTheTermAndWhatItProposed() {
    OnePhaseGate g = synced(3, 10);
    g.proposed(7, 100);
    g.leadershipLost();
    assertEquals(0, g.barrier(1000));
    assertNotNull(g.refusal(500, 3));
  }

  @Test
  void aSyncWhoseAnswerNeverCameIsRetriedLaterAndAFailedOneAtOnce() {
    OnePhaseGate g = new OnePhaseGate();
    assertTrue(g.startSync(3, 0));
    assertFalse(g.startSync(3, OnePhaseGate.SYNC_GIVE_UP_MILLIS - 1));
    assertTrue(g.startSync(3, OnePhaseGate.SYNC_GIVE_UP_MILLIS));
    g.synced(3, 0, 0, true);
    assertNotNull(g.refusal(100, 3), "a failed fetch syncs nothing");
    assertTrue(g.startSync(3, OnePhaseGate.SYNC_GIVE_UP_MILLIS + 1));
    g.synced(3, 0, 50, false);
    assertNotNull(g.refusal(100, 3), "an answer for a leadership since lost counts for nothing");
  }

  @Test
  void aMergeNeedsANewSyncAndDiscardsTheAnswerOfOneStartedBeforeIt() {
    OnePhaseGate g = synced(3, 10);
    g.merged();
    assertNotNull(g.refusal(100, 3), "the reads the right range served are unknown here");

    g = new OnePhaseGate();
    assertTrue(g.startSync(3, 0));
    long atStart = g.merges();
    g.merged();
    assertTrue(g.startSync(3, 1), "the merge does not wait for the sync in flight");
    g.synced(3, atStart, 50, true);
    assertNotNull(g.refusal(100, 3), "a timestamp that may predate the right range's reads");
    g.synced(3, g.merges(), 50, true);
    assertNull(g.refusal(100, 3));
  }

  private static OnePhaseGate synced(long term, long ts) {
    OnePhaseGate g = new OnePhaseGate();
    g.startSync(term, 0);
    g.synced(term, 0, ts, true);
    return g;
  }
}
