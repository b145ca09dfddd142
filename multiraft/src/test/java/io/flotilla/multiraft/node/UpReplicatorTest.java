package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.multiraft.runtime.ApplyResult;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The up-replication policy as a pure function, and its driver's one-change-at-a-time rule. */
class UpReplicatorTest {
  private static RangeInfo range(long id, long leader, Set<Long> voters, Set<Long> learners,
      long commit, Map<Long, Long> match) {
    ConfState cs = new ConfState(voters, Set.of(), learners, Set.of(), false);
    return new RangeInfo(new RangeDescriptor(id, new byte[0], new byte[0], 0, cs), leader, 1,
        commit, false, commit, match);
  }

  private static Optional<UpReplicator.Decision> decide(RangeInfo r, Set<Long> live) {
    return UpReplicator.decide(1, r, live, 3);
  }

  @Test
  void onlyTheLeaderDecides() {
    RangeInfo followed = range(2, 2, Set.of(1L, 2L), Set.of(), 5, Map.of());
    assertEquals(Optional.empty(), decide(followed, Set.of(1L, 2L, 3L)));
  }

  @Test
  void aLiveNonMemberIsAddedAsALearnerFirst() {
    RangeInfo r = range(2, 1, Set.of(1L), Set.of(), 5, Map.of(1L, 5L));
    var d = decide(r, Set.of(1L, 2L)).orElseThrow();
    assertInstanceOf(UpReplicator.AddLearner.class, d);
    assertEquals(ConfChange.addLearner(2), d.change());
    assertTrue(d.reason().contains("has 1 of 2 voters"), d.reason());
  }

  @Test
  void theTargetIsTheReplicationFactorOrTheLiveNodesWhicheverIsSmaller() {
    assertEquals(Optional.empty(), decide(range(2, 1, Set.of(1L), Set.of(), 5, Map.of(1L, 5L)),
        Set.of(1L)));
    assertEquals(Optional.empty(), decide(range(2, 1, Set.of(1L, 2L, 3L), Set.of(), 5,
        Map.of(1L, 5L, 2L, 5L, 3L, 5L)), Set.of(1L, 2L, 3L, 4L, 5L)));
    // A dead voter still counts: replacing it is the placement driver's job.
    assertEquals(Optional.empty(), decide(range(2, 1, Set.of(1L, 2L, 3L), Set.of(), 5,
        Map.of(1L, 5L, 2L, 5L, 3L, 1L)), Set.of(1L, 2L)));
  }

  @Test
  void aLearnerIsPromotedOnlyOnceItsMatchReachesTheCommitIndex() {
    RangeInfo behind = range(2, 1, Set.of(1L), Set.of(2L), 9, Map.of(1L, 9L, 2L, 8L));
    var wait = decide(behind, Set.of(1L, 2L)).orElseThrow();
    assertInstanceOf(UpReplicator.Wait.class, wait);
    assertTrue(wait.reason().contains("match 8 of commit 9"), wait.reason());
    RangeInfo caughtUp = range(2, 1, Set.of(1L), Set.of(2L), 9, Map.of(1L, 9L, 2L, 9L));
    assertEquals(ConfChange.addVoter(2), decide(caughtUp, Set.of(1L, 2L)).orElseThrow()
        .change());
  }

  @Test
  void aLearnerOnADeadNodeIsRemoved() {
    RangeInfo r = range(2, 1, Set.of(1L), Set.of(2L), 9, Map.of(1L, 9L, 2L, 0L));
    assertEquals(ConfChange.remove(2), decide(r, Set.of(1L, 3L)).orElseThrow().change());
  }

  @Test
  void rangesAreSpreadOverTheCandidates() {
    Set<Long> live = Set.of(1L, 2L, 3L, 4L, 5L);
    Set<Long> picked = new java.util.TreeSet<>();
    for (long id = 1; id <= 8; id++) {
      var d = (UpReplicator.AddLearner) decide(range(id, 1, Set.of(1L), Set.of(), 5,
          Map.of(1L, 5L)), live).orElseThrow();
      picked.add(d.node());
    }
    assertEquals(Set.of(2L, 3L, 4L, 5L), picked);
  }

  @Test
  void theDriverKeepsOneChangeInFlightPerRangeAndLogsEachDecision() {
    List<String> log = new ArrayList<>();
    List<ConfChange> proposed = new ArrayList<>();
    CompletableFuture<ApplyResult> pending = new CompletableFuture<>();
    long[] now = {0};
    UpReplicator up = new UpReplicator(1, 3, (range, cc) -> {
      proposed.add(cc);
      return pending;
    }, log::add, () -> now[0]);
    RangeInfo r = range(2, 1, Set.of(1L), Set.of(), 5, Map.of(1L, 5L));
    assertEquals(1, up.run(List.of(r), Set.of(1L, 2L)).size());
    // Same published membership, change not applied yet: nothing new is proposed.
    assertEquals(0, up.run(List.of(r), Set.of(1L, 2L)).size());
    // The membership changed: the learner now waits, logged once.
    RangeInfo learner = range(2, 1, Set.of(1L), Set.of(2L), 6, Map.of(1L, 6L, 2L, 0L));
    assertEquals(0, up.run(List.of(learner), Set.of(1L, 2L)).size());
    RangeInfo closer = range(2, 1, Set.of(1L), Set.of(2L), 6, Map.of(1L, 6L, 2L, 4L));
    assertEquals(0, up.run(List.of(closer), Set.of(1L, 2L)).size());
    assertEquals(List.of(ConfChange.addLearner(2)), proposed);
    assertEquals(2, log.size(), String.valueOf(log));
    assertTrue(log.get(0).startsWith("up-replication: range 2: add learner n2: "), log.get(0));
    assertTrue(log.get(1).contains("waiting: learner n2 catching up"), log.get(1));
  }
}
