package io.flotilla.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The quorum arithmetic the commit rule and elections rest on, checked against naive oracles
 * over many random (joint) configurations, as etcd's quorum/quick_test.go does.
 */
class QuorumPropertyTest {
  private static final int CASES = 50_000;

  @Test
  void committedIndexMatchesNaiveCount() {
    SplittableRandom rnd = new SplittableRandom(20261123);
    for (int c = 0; c < CASES; c++) {
      Set<Long> incoming = randomVoters(rnd);
      Set<Long> outgoing = rnd.nextBoolean() ? Set.of() : randomVoters(rnd);
      Map<Long, Long> acked = new HashMap<>();
      for (long id = 1; id <= 9; id++) {
        if (rnd.nextInt(5) > 0) {
          acked.put(id, (long) rnd.nextInt(12));
        }
      }
      long actual = new JointConfig(incoming, outgoing)
          .committedIndex(id -> acked.getOrDefault(id, 0L));
      long expected = Math.min(naiveCommitted(incoming, acked), naiveCommitted(outgoing, acked));
      assertEquals(expected, actual, "case " + c + ": " + incoming + " " + outgoing + " " + acked);
    }
  }

  @Test
  void voteResultMatchesNaiveCount() {
    SplittableRandom rnd = new SplittableRandom(42);
    for (int c = 0; c < CASES; c++) {
      Set<Long> incoming = randomVoters(rnd);
      Set<Long> outgoing = rnd.nextBoolean() ? Set.of() : randomVoters(rnd);
      Map<Long, Boolean> votes = new HashMap<>();
      for (long id = 1; id <= 9; id++) {
        int r = rnd.nextInt(3);
        if (r > 0) {
          votes.put(id, r == 1);
        }
      }
      VoteResult actual = new JointConfig(incoming, outgoing).voteResult(votes);
      VoteResult expected = combine(naiveVote(incoming, votes), naiveVote(outgoing, votes));
      assertEquals(expected, actual, "case " + c + ": " + incoming + " " + outgoing + " " + votes);
    }
  }

  private static Set<Long> randomVoters(SplittableRandom rnd) {
    Set<Long> s = new TreeSet<>();
    int n = 1 + rnd.nextInt(7);
    while (s.size() < n) {
      s.add(1L + rnd.nextInt(9));
    }
    return s;
  }

  /** The largest index that more than half of the voters have acknowledged. */
  private static long naiveCommitted(Set<Long> voters, Map<Long, Long> acked) {
    if (voters.isEmpty()) {
      return Long.MAX_VALUE;
    }
    long best = 0;
    for (long idx = 0; idx <= 12; idx++) {
      int count = 0;
      for (long v : voters) {
        if (acked.getOrDefault(v, 0L) >= idx) {
          count++;
        }
      }
      if (count * 2 > voters.size()) {
        best = idx;
      }
    }
    return best;
  }

  private static VoteResult naiveVote(Set<Long> voters, Map<Long, Boolean> votes) {
    if (voters.isEmpty()) {
      return VoteResult.WON;
    }
    int yes = 0;
    int no = 0;
    for (long v : voters) {
      Boolean b = votes.get(v);
      if (b != null && b) {
        yes++;
      } else if (b != null) {
        no++;
      }
    }
    if (yes * 2 > voters.size()) {
      return VoteResult.WON;
    }
    if (no * 2 >= voters.size()) {
      return VoteResult.LOST;
    }
    return VoteResult.PENDING;
  }

  private static VoteResult combine(VoteResult a, VoteResult b) {
    if (a == VoteResult.LOST || b == VoteResult.LOST) {
      return VoteResult.LOST;
    }
    if (a == VoteResult.WON && b == VoteResult.WON) {
      return VoteResult.WON;
    }
    return VoteResult.PENDING;
  }
}
