package io.flotilla.multiraft.runtime;

import io.flotilla.multiraft.proto.CommitMergePb;
import io.flotilla.multiraft.proto.RangeDescriptorPb;
import java.util.Arrays;

/**
 * Merging two adjacent ranges L = [a, b) and R = [b, c) into L = [a, c), through both Raft logs.
 * No data moves: both spans live in the store's one keyspace on every member, so a merge only
 * changes which Raft group owns [b, c). As CockroachDB and TiKV do, in three steps (the node's
 * {@code RangeMerger} drives them):
 *
 * <ol>
 *   <li><b>Freeze R</b>: a {@code PrepareMergePb} through R's log. A replica of R that applies it
 *       records the freeze ({@link MergeFreeze}: its index, L's id and the generation of L the
 *       merge was planned at) in its apply state, and from then on refuses every entry after it
 *       but its thaw (writes, splits, conf changes: alike on every replica, so none diverges)
 *       and every new request (retryable {@code RangeNotFound}: the meta records will name L).
 *       The freeze is refused if R's generation changed since the merge was planned or R has
 *       learners or is joint.
 *   <li><b>Every replica of R applied the freeze</b>: the coordinator asks each member. From then
 *       on R's data is final on every store.
 *   <li><b>Commit on L</b>: a {@code CommitMergePb} (R's descriptor, the freeze index, and L's
 *       generation: always the one the freeze names, {@link StoreRuntime#commitMerge}) through
 *       L's log. {@link #refusal} decides from L's replicated state alone (so alike everywhere)
 *       whether it applies: L at that generation, L.end == R.start, the same voters, no
 *       learners. A replica of L that applies it needs this store's replica of R frozen for L
 *       at exactly that index: one that applied less catches up from its own log (the entries
 *       up to the freeze are committed: the commit on L proves every replica of R applied
 *       them); if even its log lacks them the entry waits, with every later entry of L ({@link
 *       Replica#deferred}), and is retried each cycle. Applying sets L's end to R's end, its
 *       generation to max(L, R) + 1 and its newest timestamp to the max of both; in the
 *       <b>same</b> RocksDB write, R's apply state, log, hard and truncated state are deleted
 *       and a tombstone marks R merged ({@link ReplicaTombstones#retire}; a stale message for
 *       R never re-creates it). R's data is kept: it is L's now. A commit asked twice is a
 *       no-op the second time ({@link #alreadyMerged}).
 * </ol>
 *
 * <p><b>Abandoning.</b> A merge that cannot go on once R is frozen (the commit refused, a voter
 * of R that never applies the freeze, the coordinator's deadline or death) is undone in two
 * steps, in this order:
 * <ol>
 *   <li><b>Abandon on L</b>: an {@code AbandonMergePb} (R's descriptor, the freeze index, the
 *       generation of L the freeze names) through L's log, decided from L's replicated state
 *       alone. If L already took R's span it answers "already merged": the merge is done and R
 *       is not thawed. Otherwise, if L is still at the freeze's generation, L moves to the next
 *       one (a new descriptor, same span and members, written with its apply state and
 *       published like a split's, so the meta records follow). Either way L is now past that
 *       generation, and it answers "abandoned".
 *   <li><b>Thaw R</b>: {@code PrepareMergePb.abort} through R's log, naming the freeze index.
 *       A replica of R thaws only if it is frozen for L at exactly that index; any other thaw
 *       is refused like every entry after a freeze, so a late thaw of an earlier freeze never
 *       thaws a newer one (whose commit on L would then wait for ever for this replica).
 * </ol>
 *
 * <p>Why the thaw is safe: L's log orders the abandon against every commit of the freeze. A
 * commit before it either applied (the abandon then answers "already merged") or was refused.
 * A commit after it is planned at the generation the freeze names, which L has left, and
 * generations only grow: {@link #refusal} refuses it on every replica, for ever. So once the
 * abandon answered "abandoned", no replica of L will ever take R's span at this freeze, and
 * R's replicas may go on. The abandon waits, like every entry of L, behind a commit that waits
 * for its right replica ({@link Replica#deferred}); its answer is the same on every replica all
 * the same. One case rests on more than L's log: "already merged" is read from L's span (L
 * holds R's start key from the commit on). Had L, after the commit, split at exactly that key
 * again before a late abandon of the same freeze, the abandon answers "abandoned"; its thaw
 * then cannot gather R's quorum while L's voters are still R's, since the majority that took
 * the split applied the commit (retiring its replicas of R) in the cycle it acknowledged it.
 *
 * <p><b>Crash safety.</b> Every step is one atomic RocksDB write, unsynced like all applying
 * (RocksDB recovers a prefix of its WAL; the logs themselves are synced):
 * <ul>
 *   <li>R's freeze (and its thaw) lives in R's apply state, written with its index; lost, it is
 *       re-applied from R's log, whose entries up to it are durable (they were acknowledged
 *       before any replica applied them).
 *   <li>L's generation after an abandon lives in L's apply state the same way.
 *   <li>The merge is one write (L's new apply state, R's state, log and tombstone); lost, L's
 *       applied index is before the commit entry, which is re-applied from L's durable log
 *       against R's replica, still there and frozen (or brought to its freeze from its log).
 *   <li>An L snapshot that covers R's span replaces the span's data with L's apply state
 *       (atomically, {@link SnapshotInstaller}); R's replica is retired by a second write. Lost,
 *       the next start finds R's start key inside a replica of a higher generation and retires
 *       R then ({@link #obsolete}): a range keeps its start key for as long as it exists, and
 *       the generation of whatever range holds a key only grows, so such a replica's range is
 *       gone.
 *   <li>A coordinator that dies between the steps leaves R frozen; nothing is lost, and the
 *       node's merge watchdog, on R's leader, abandons and thaws it after a while.
 * </ul>
 */
final class Merges {
  private Merges() {}

  /**
   * Whether {@code left} already took the span of the right range {@code right} (an earlier
   * commit of the same merge): a commit is then a no-op that succeeds, an abandon one that
   * answers so.
   */
  static boolean alreadyMerged(Replica left, RangeDescriptorPb right) {
    RangeDescriptor r = RangeDescriptor.fromProto(right);
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
