package io.flotilla.raft;

import java.util.List;

/**
 * A message between members of one Raft group. Every message names its sender, its receiver and
 * the sender's term; the receiver's {@link RaftNode#step} applies the shared term rules once and
 * then hands the message to the role it is in.
 *
 * <p>The transport may drop, delay, duplicate and reorder messages: the protocol tolerates all
 * of it. It must not corrupt them.
 */
public sealed interface Message {
  long from();

  long to();

  long term();

  /**
   * Asks for a vote. A pre-vote ({@code pre}) carries the term the sender would campaign at and
   * changes nobody's term or vote. {@code transfer} marks a campaign started by a leadership
   * transfer, which voters grant even while they still hear from a leader.
   */
  record Vote(long from, long to, long term, long lastIndex, long lastTerm, boolean pre,
      boolean transfer) implements Message {}

  /** Answers a {@link Vote}; {@code term} is the request's term when granted. */
  record VoteResponse(long from, long to, long term, boolean pre, boolean rejected)
      implements Message {}

  /**
   * Replicates {@code entries} after the entry at {@code prevIndex}, which must have
   * {@code prevTerm} on the receiver (the consistency check), and tells the commit index.
   */
  record Append(long from, long to, long term, long prevIndex, long prevTerm, List<Entry> entries,
      long commit) implements Message {
    public Append {
      entries = List.copyOf(entries);
    }
  }

  /**
   * Answers an {@link Append} or {@link InstallSnapshot}. On success {@code index} is the
   * highest index the receiver now holds matching the leader. On rejection {@code index} is the
   * rejected {@code prevIndex} and ({@code rejectHint}, {@code rejectHintTerm}) is the receiver's
   * last entry that may still match, so the leader can skip a whole conflicting term at once.
   */
  record AppendResponse(long from, long to, long term, long index, boolean rejected,
      long rejectHint, long rejectHintTerm) implements Message {}

  /**
   * The leader's periodic liveness signal; also carries the commit index (capped at what the
   * follower is known to hold) and the read round being confirmed for ReadIndex.
   */
  record Heartbeat(long from, long to, long term, long commit, long readRound)
      implements Message {}

  /** Answers a {@link Heartbeat}, echoing its read round. */
  record HeartbeatResponse(long from, long to, long term, long readRound) implements Message {}

  /** Sends a snapshot to a follower whose next entry is compacted away on the leader. */
  record InstallSnapshot(long from, long to, long term, Snapshot snapshot) implements Message {}

  /** Tells the target of a leadership transfer to campaign at once. */
  record TimeoutNow(long from, long to, long term) implements Message {}

  /** A follower forwards a linearizable read to the leader. */
  record ReadIndex(long from, long to, long term, long requestId) implements Message {}

  /** The leader's answer to a forwarded {@link ReadIndex}: read once applied reaches index. */
  record ReadIndexResponse(long from, long to, long term, long requestId, long index)
      implements Message {}
}
