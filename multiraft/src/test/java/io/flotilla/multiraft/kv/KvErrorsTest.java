package io.flotilla.multiraft.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.KvError.Code;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeException;
import io.flotilla.raft.ConfState;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Which failures may leave a write applied: only timeouts and the unexpected. */
class KvErrorsTest {
  private static final RangeDescriptor RANGE = new RangeDescriptor(2, new byte[] {1},
      new byte[0], 3, ConfState.ofVoters(1L, 2L, 3L));

  @Test
  void routingRefusalsCarryWhatTheClientNeeds() {
    KvError notLeader = KvErrors.of(new RangeException.NotLeader(RANGE, 3), true);
    assertEquals(Code.NOT_LEADER, notLeader.getCode());
    assertEquals(3, notLeader.getLeaderHint());
    assertEquals(RANGE.toProto(), notLeader.getRange());
    KvError outside = KvErrors.of(new CompletionException(
        new RangeException.KeyOutsideRange(RANGE)), true);
    assertEquals(Code.KEY_OUTSIDE_RANGE, outside.getCode());
    assertEquals(RANGE.toProto(), outside.getRange());
    assertEquals(Code.RANGE_NOT_FOUND, KvErrors.of(new RangeException.RangeNotFound(9), true)
        .getCode());
    assertEquals(Code.PROPOSAL_DROPPED, KvErrors.of(new RangeException.ProposalDropped(2,
        "term changed"), true).getCode());
  }

  @Test
  void onlyAWriteWithoutAnOutcomeIsAmbiguous() {
    assertEquals(Code.AMBIGUOUS, KvErrors.of(new TimeoutException(), true).getCode());
    assertEquals(Code.UNAVAILABLE, KvErrors.of(new TimeoutException(), false).getCode());
    assertEquals(Code.AMBIGUOUS, KvErrors.of(new IllegalStateException("boom"), true)
        .getCode());
    assertEquals(Code.UNAVAILABLE, KvErrors.of(new IllegalStateException("boom"), false)
        .getCode());
    assertEquals(Code.UNAVAILABLE, KvErrors.of(new RejectedExecutionException("full"), true)
        .getCode());
    assertEquals(Code.INVALID, KvErrors.of(new IllegalArgumentException("key too large"),
        true).getCode());
  }

  @Test
  void aRefusalWhenApplyingIsNeverAmbiguous() {
    assertEquals(Code.INVALID, KvErrors.refusedOnApply(new IllegalArgumentException("big"))
        .getCode());
    assertEquals(Code.INVALID, KvErrors.refusedOnApply(new IllegalStateException("odd"))
        .getCode());
    assertEquals(Code.KEY_OUTSIDE_RANGE, KvErrors.refusedOnApply(
        new RangeException.KeyOutsideRange(RANGE)).getCode());
  }
}
