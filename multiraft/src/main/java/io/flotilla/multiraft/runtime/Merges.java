package io.flotilla.multiraft.runtime;

import io.flotilla.multiraft.proto.CommitMergePb;
import java.util.Arrays;

/**
 * Merging two adjacent ranges L = [a, b) and R = [b, c) into L = [a, c), through both Raft logs.
 * No data moves: both spans live in the store's one keyspace on every member, so a merge only
 * changes which Raft group owns [b, c). As CockroachDB and TiKV do, in three steps (the node's
 * {@code RangeMerger} drives them):
 *
 * <ol>
 *   <li><b>Freeze R</b>: a {@code PrepareMergePb} through R's log. A replica of R that applies it
 *       records the freeze index (and L's id) in its apply state, and from then on refuses every
 *       entry after it (writes, splits, conf changes: alike on every replica, so none diverges)
 *       and every new request (retryable {@code RangeNotFound}: the meta records will name L).
 *       The freeze is refused if R's generation changed since the merge was planned or R has
 *       learners or is joint.
 *   <li><b>Every replica of R applied the freeze</b>: the coordinator asks each member. From then
 *       on R's data is final on every store.
 *   <li><b>Commit on L</b>: a {@code CommitMergePb} (R's descriptor, the freeze index, L's
 *       generation) through L's log. {@link #refusal} decides from L's replicated state alone
 *       (so alike everywhere) whether it applies: L at the planned generation, L.end ==
 *       R.start, the same voters, no learners. A replica of L that applies it needs this store's
 *       replica of R frozen for L at exactly that index: one that applied less catches up from
 *       its own log (the entries up to the freeze are committed: the commit on L proves every
 *       replica of R applied them); if even its log lacks them the entry waits, with every
 *       later entry of L ({@link Replica#deferred}), and is retried each cycle. Applying sets
 *       L's end to R's end, its generation to max(L, R) + 1 and its newest timestamp to the
 *       max of both; in the <b>same</b> RocksDB write, R's apply state, log, hard and truncated
 *       state are deleted and a tombstone marks R merged ({@link ReplicaTombstones#retire}; a
 *       stale message for R never re-creates it). R's data is kept: it is L's now.
 * </ol>
 *
 * <p>A commit that L refuses leaves R frozen: a later commit at L's current generation (the
 * merge asked again) can still take it. A commit asked twice is a no-op the second time ({@link
 * #alreadyMerged}). {@code PrepareMergePb.abort} thaws R (the one entry a frozen range still
 * applies), but it is only safe when no commit of that freeze can ever apply on L, which
 * nothing records yet, so the coordinator does not use it (see the node's {@code RangeMerger}).
 *
 * <p><b>Crash safety.</b> Every step is one atomic RocksDB write, unsynced like all applying
 * (RocksDB recovers a prefix of its WAL; the logs themselves are synced):
 * <ul>
 *   <li>R's freeze lives in R's apply state, written with its index; lost, it is re-applied
 *       from R's log, whose entries up to the freeze are durable (they were acknowledged before
 *       any replica applied them).
 *   <li>The merge is one write (L's new apply state, R's state, log and tombstone); lost, L's
 *       applied index is before the commit entry, which is re-applied from L's durable log
 *       against R's replica, still there and frozen (or brought to its freeze from its log).
 *   <li>An L snapshot that covers R's span replaces the span's data with L's apply state
 *       (atomically, {@link SnapshotInstaller}); R's replica is retired by a second write. Lost,
 *       the next start finds R's start key inside a replica of a higher generation and retires
 *       R then ({@link #obsolete}): a range keeps its start key for as long as it exists, and
 *       the generation of whatever range holds a key only grows, so such a replica's range is
 *       gone.
 * </ul>
 */
final class Merges {
  private Merges() {}

  /**
   * Whether {@code left} already took the span of {@code c}'s right range (an earlier commit of
   * the same merge, asked twice): the commit is then a no-op that succeeds.
   */
  static boolean alreadyMerged(Replica left, CommitMergePb c) {
    RangeDescriptor r = RangeDescriptor.fromProto(c.getRight());
    return left.descriptor.contains(r.startKey())
        && left.descriptor.generation() > r.generation();
  }

  /**
   * Why the left range {@code left} must not apply {@code c}, or null if it applies it. Reads
   * only L's replicated state and the command, so every replica of L decides alike.
   */
  static String refusal(Replica left, CommitMergePb c) {
    RangeDescriptor l = left.descriptor;
    RangeDescriptor r = RangeDescriptor.fromProto(c.getRight());
    String what = "merge of range " + r.rangeId() + " into range " + l.rangeId() + ": ";
    if (l.generation() != c.getLeftGeneration()) {
      return what + "range " + l.rangeId() + " is at generation " + l.generation()
          + ", the merge was planned at " + c.getLeftGeneration();
    }
    if (l.endKey().length == 0 || !Arrays.equals(l.endKey(), r.startKey())) {
      return what + "the ranges are not adjacent";
    }
    if (!l.members().voters().equals(r.members().voters()) || l.members().isJoint()
        || r.members().isJoint()) {
      return what + "voters differ: " + l.members().voters() + " vs " + r.members().voters();
    }
    if (!l.members().learners().isEmpty() || !r.members().learners().isEmpty()) {
      return what + "a range has learners";
    }
    return null;
  }

  /**
   * Whether the replica {@code d} is of a range that another replica on this store ({@code
   * by}) took over: {@code d}'s start key lies in {@code by}'s span and {@code by} is of a
   * higher generation. A range keeps its start key as long as it exists and the generation of
   * the range that holds a key only grows, so {@code d}'s range was merged away.
   */
  static boolean obsolete(RangeDescriptor d, RangeDescriptor by) {
    return d.rangeId() != by.rangeId() && initialized(d) && initialized(by)
        && by.contains(d.startKey()) && by.generation() > d.generation();
  }

  private static boolean initialized(RangeDescriptor d) {
    return !d.members().voters().isEmpty() || !d.members().learners().isEmpty();
  }
}
