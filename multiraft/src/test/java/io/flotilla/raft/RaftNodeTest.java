package io.flotilla.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RaftNodeTest {
  @Test
  void threeMembersElectOneLeaderAndCommitOnAll() {
    SmokeCluster c = new SmokeCluster(3, 7);
    c.tick(30);
    RaftNode leader = c.leader();
    assertNotNull(leader, "a leader after 30 ticks");
    ProposalId p = leader.propose("x=1".getBytes());
    c.deliverAll();
    c.tick(3);
    for (RaftNode n : c.nodes.values()) {
      assertEquals(p.index(), n.commitIndex(), "commit on " + n.id());
      var last = c.applied.get(n.id()).get(c.applied.get(n.id()).size() - 1);
      assertEquals("x=1", new String(last.data()));
    }
  }

  @Test
  void followerRejectsProposalWithLeaderHint() {
    SmokeCluster c = new SmokeCluster(3, 11);
    c.tick(30);
    RaftNode leader = c.leader();
    RaftNode follower = c.nodes.values().stream().filter(n -> n != leader).findFirst().get();
    ProposalRejectedException e = assertThrows(ProposalRejectedException.class,
        () -> follower.propose(new byte[] {1}));
    assertEquals(ProposalRejectedException.Reason.NOT_LEADER, e.reason());
    assertEquals(leader.id(), e.leaderHint());
  }

  @Test
  void singleMemberCommitsAlone() {
    SmokeCluster c = new SmokeCluster(1, 3);
    c.tick(25);
    RaftNode leader = c.leader();
    assertNotNull(leader);
    ProposalId p = leader.propose(new byte[] {9});
    c.deliverAll();
    assertEquals(p.index(), leader.commitIndex());
  }
}
