package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.proto.ChangeReplicasRequest.Op;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checks a replica change passes on the leader, and the replica GC's removal rule. */
class ReplicaOpsTest {
  private static RangeInfo range(Set<Long> voters, Set<Long> learners) {
    return new RangeInfo(new RangeDescriptor(7, new byte[0], new byte[0], 0,
        new ConfState(voters, Set.of(), learners, Set.of(), false)), 1, 1, 5, false, 5,
        Map.of());
  }

  private static String refusal(RangeInfo r, Op op, long store, Set<Long> live) {
    return assertThrows(IllegalArgumentException.class,
        () -> ReplicaOps.validate(r, op, store, live)).getMessage();
  }

  @Test
  void refusalsNameTheRangeTheStepAndWhy() {
    RangeInfo three = range(Set.of(1L, 2L, 3L), Set.of());
    assertEquals("range 7: promote 4: store 4 is not a learner",
        refusal(three, Op.PROMOTE, 4, Set.of(1L, 2L, 3L, 4L)));
    assertEquals("range 7: remove voter 1: store 1 is the last voter",
        refusal(range(Set.of(1L), Set.of()), Op.REMOVE_VOTER, 1, Set.of(1L)));
    assertTrue(refusal(three, Op.REMOVE_VOTER, 2, Set.of(1L, 2L)).startsWith(
        "range 7: remove voter 2: it would leave 1 live of the 3 voters"));
    assertEquals("range 7: add learner 2: store 2 is a voter already",
        refusal(three, Op.ADD_LEARNER, 2, Set.of(1L, 2L, 3L)));
    assertEquals("range 7: remove learner 3: store 3 is not a learner",
        refusal(three, Op.REMOVE_LEARNER, 3, Set.of(1L, 2L, 3L)));
  }

  @Test
  void allowedChangesMapToTheirConfChange() {
    RangeInfo r = range(Set.of(1L, 2L, 3L), Set.of(4L));
    assertEquals(ConfChange.addVoter(4), ReplicaOps.validate(r, Op.PROMOTE, 4, Set.of(1L)));
    // Removing a dead voter is fine while the others form a quorum.
    assertEquals(ConfChange.remove(3),
        ReplicaOps.validate(r, Op.REMOVE_VOTER, 3, Set.of(1L, 2L)));
    assertEquals(ConfChange.addLearner(5),
        ReplicaOps.validate(r, Op.ADD_LEARNER, 5, Set.of(1L, 5L)));
  }

  @Test
  void theGcRemovesOnlyForALaterMembershipWithoutThisNode() {
    ConfState old = ConfState.ofVoters(1L, 2L, 3L);
    RangeDescriptor mine = new RangeDescriptor(7, new byte[0], new byte[0], 0, old, 10);
    RangeDescriptor later = mine.withMembers(ConfState.ofVoters(2L, 3L, 4L), 20);
    assertTrue(StoreRuntime.isRemovedBy(1, mine, later));
    assertFalse(StoreRuntime.isRemovedBy(4, mine, later), "a member stays");
    assertFalse(StoreRuntime.isRemovedBy(1, later.withMembers(ConfState.ofVoters(2L), 30),
        later.withMembers(ConfState.ofVoters(2L), 25)), "an older record never removes");
    RangeDescriptor placeholder = new RangeDescriptor(7, new byte[0], new byte[0], 0,
        ConfState.EMPTY);
    assertTrue(StoreRuntime.isRemovedBy(1, placeholder, later));
    assertFalse(StoreRuntime.isRemovedBy(1, mine, new RangeDescriptor(8, new byte[0],
        new byte[0], 0, ConfState.ofVoters(2L), 99)), "another range's record");
  }
}
