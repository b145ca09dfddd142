package io.flotilla.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The leader's pending ReadIndex requests. A read is registered at the current commit index
 * and tagged with the next heartbeat round; once a quorum has answered a heartbeat of that
 * round (or a later one), the leader knows it was still the leader when the read arrived, and
 * the read may be served at its index. Reads arriving in one cycle share one round, so a burst
 * of reads costs one heartbeat per follower.
 */
final class ReadRounds {
  /** A read waiting for its round to be confirmed. */
  record Pending(long from, long requestId, long index, long round) {}

  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final TreeMap<Long, Long> ackedRound = new TreeMap<>();
  private long sentRound;

  void add(long from, long requestId, long index) {
    pending.add(new Pending(from, requestId, index, sentRound + 1));
  }

  /** Whether some pending read waits for a round not yet broadcast. */
  boolean needsBroadcast() {
    return !pending.isEmpty() && pending.peekLast().round() > sentRound;
  }

  /** Starts the next round; the caller broadcasts heartbeats carrying it. */
  long startRound() {
    return ++sentRound;
  }

  /** The round regular heartbeats carry, so that their answers also confirm reads. */
  long currentRound() {
    return sentRound;
  }

  /** Records that {@code voter} answered {@code round}; returns the reads now confirmed. */
  List<Pending> ack(long voter, long round, long self, JointConfig voters) {
    ackedRound.merge(voter, round, Math::max);
    long confirmed = voters.committedIndex(
        id -> id == self ? sentRound : ackedRound.getOrDefault(id, 0L));
    List<Pending> ready = new ArrayList<>();
    while (!pending.isEmpty() && pending.peekFirst().round() <= confirmed) {
      ready.add(pending.pollFirst());
    }
    return ready;
  }

  void reset() {
    pending.clear();
    ackedRound.clear();
    sentRound = 0;
  }
}
