package io.flotilla.multiraft.node;

import io.flotilla.multiraft.node.RangeMerger.MergeFailed;
import io.flotilla.multiraft.proto.AbandonMergeRequest;
import io.flotilla.multiraft.proto.AbandonMergeResponse;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.runtime.ApplyResult;
import io.flotilla.multiraft.runtime.MergeAbandonment;
import io.flotilla.multiraft.runtime.MergeFreeze;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.StoreRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Undoes a freeze whose merge cannot go on ({@code io.flotilla.multiraft.runtime.Merges}): first
 * through the left range's log (here if this node leads it, else on its leader: {@code
 * NodeAdmin.AbandonMerge}), which answers whether the left range took the right one's span
 * already; only if not, thaws the right range, naming the freeze, on its leader here. A node
 * that does not lead the right range leaves the thaw to the one that does ({@link
 * MergeWatchdog}). Blocking: for the merge's own thread and the watchdog's.
 */
final class MergeAbandoner {
  private final long self;
  private final StoreRuntime runtime;
  private final ReplicaOps ops;
  private final Duration budget;
  private final Consumer<String> log;

  /** @param budget how long abandoning and thawing may take, beyond any merge's deadline */
  MergeAbandoner(long self, StoreRuntime runtime, ReplicaOps ops, Duration budget,
      Consumer<String> log) {
    this.self = self;
    this.runtime = runtime;
    this.ops = ops;
    this.budget = budget;
    this.log = log;
  }

  Duration budget() {
    return budget;
  }

  /**
   * Abandons {@code freeze} of the right range {@code right} (its descriptor as of the freeze)
   * and thaws it; {@code why} is logged with the thaw. Adds what it did to {@code steps}.
   *
   * @throws MergeFailed if the right range stays frozen (the left range cannot take the
   *     abandon now, this node does not lead the right range, or a newer freeze holds it), naming
   *     why
   */
  MergeAbandonment abandonAndThaw(MergeFreeze freeze, RangeDescriptor right, String why,
      List<String> steps) throws MergeFailed, InterruptedException {
    long deadline = System.nanoTime() + budget.toNanos();
    long rightId = right.rangeId();
    long leftId = freeze.leftRangeId();
    String stays = "range " + rightId + " stays frozen: ";
    AbandonMergeResponse a = RangeMerger.get(ops.abandonMerge(AbandonMergeRequest.newBuilder()
        .setLeftRangeId(leftId).setRight(right.toProto()).setFreezeIndex(freeze.index())
        .setLeftGeneration(freeze.leftGeneration()).build()), deadline,
        stays + "abandon its freeze through range " + leftId);
    if (a.hasError() && a.getError().getCode() != KvError.Code.NONE) {
      throw new MergeFailed(a.getError().getCode(), stays + "range " + leftId + " could not"
          + " abandon its freeze: " + a.getError().getMessage());
    }
    if (a.getAlreadyMerged()) {
      steps.add("range " + leftId + " had already taken the span of range " + rightId);
      return MergeAbandonment.ALREADY_MERGED;
    }
    steps.add("range " + leftId + " abandoned the freeze of range " + rightId + " at index "
        + freeze.index());
    Optional<RangeInfo> mine = RangeMerger.get(runtime.rangeInfo(rightId), deadline,
        stays + "read it");
    if (mine.isEmpty() || mine.get().leader() != self) {
      throw new MergeFailed(KvError.Code.NOT_LEADER, stays + "node " + self + " does not lead"
          + " it to thaw it; its leader's watchdog will");
    }
    ApplyResult thawed = RangeMerger.get(runtime.thaw(rightId, freeze), deadline,
        stays + "thaw it");
    if (thawed.error() != null) {
      throw new MergeFailed(KvError.Code.UNAVAILABLE, stays + "a newer freeze holds it ("
          + thawed.error().getMessage() + ")");
    }
    steps.add("thawed range " + rightId);
    log.accept("range " + rightId + " thawed: merge into range " + leftId + " abandoned because "
        + why);
    return MergeAbandonment.ABANDONED;
  }
}
