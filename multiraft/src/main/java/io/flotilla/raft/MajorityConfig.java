package io.flotilla.raft;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.function.LongUnaryOperator;

/** Quorum arithmetic over one set of voters. An empty set agrees to everything. */
final class MajorityConfig {
  private MajorityConfig() {}

  /**
   * The highest index acknowledged by a majority: sort the voters' acked indexes descending and
   * take the one at position n/2. Voters missing from {@code acked} count as 0.
   */
  static long committedIndex(Set<Long> voters, LongUnaryOperator acked) {
    if (voters.isEmpty()) {
      return Long.MAX_VALUE;
    }
    long[] idx = new long[voters.size()];
    int i = 0;
    for (long id : voters) {
      idx[i++] = acked.applyAsLong(id);
    }
    Arrays.sort(idx);
    return idx[idx.length - (idx.length / 2 + 1)];
  }

  static VoteResult voteResult(Set<Long> voters, Map<Long, Boolean> votes) {
    if (voters.isEmpty()) {
      return VoteResult.WON;
    }
    int yes = 0;
    int missing = 0;
    for (long id : voters) {
      Boolean v = votes.get(id);
      if (v == null) {
        missing++;
      } else if (v) {
        yes++;
      }
    }
    int q = voters.size() / 2 + 1;
    if (yes >= q) {
      return VoteResult.WON;
    }
    if (yes + missing >= q) {
      return VoteResult.PENDING;
    }
    return VoteResult.LOST;
  }
}
