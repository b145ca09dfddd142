package io.flotilla.multiraft.node;

import io.flotilla.multiraft.node.RangeMerger.MergeFailed;
import io.flotilla.multiraft.runtime.MergeAbandonment;
import io.flotilla.multiraft.runtime.MergeFreeze;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

/**
 * Thaws ranges whose merge nobody finishes: a coordinator that stopped after the freeze, or one
 * whose own abandon failed. Each maintenance round it notes since when each of this node's
 * replicas has been frozen by the same freeze (locally, not replicated: a restarted node counts
 * from its start). A range frozen longer than the threshold, that this node leads and that no
 * merge on this node is running for, is abandoned through its left range's log and thawed
 * ({@link MergeAbandoner}); a failed attempt is tried again once the threshold passed again.
 *
 * <p>Safe whatever the timing: a coordinator still running elsewhere at that moment has its
 * commit refused (the abandon comes first in the left range's log) or finds the abandon
 * answered "already merged". The threshold (twice a merge's default timeout) only keeps the
 * watchdog from cutting live merges short.
 */
final class MergeWatchdog {
  /** Since when ({@link System#nanoTime}) a range is known frozen at {@code index}. */
  private record Frozen(long index, long sinceNanos) {}

  private final long self;
  private final MergeAbandoner abandoner;
  private final LongPredicate merging;
  private final long thawAfterNanos;
  private final LongSupplier nanos;
  private final Consumer<String> log;
  /** By range id; written by the maintenance thread and by failed thaws. */
  private final Map<Long, Frozen> frozen = new ConcurrentHashMap<>();
  private final Set<Long> thawing = ConcurrentHashMap.newKeySet();

  /** @param merging whether a merge of a right range runs on this node ({@link RangeMerger}) */
  MergeWatchdog(long self, MergeAbandoner abandoner, LongPredicate merging, Duration thawAfter,
      LongSupplier nanos, Consumer<String> log) {
    this.self = self;
    this.abandoner = abandoner;
    this.merging = merging;
    this.thawAfterNanos = thawAfter.toNanos();
    this.nanos = nanos;
    this.log = log;
  }

  /** One round over this node's ranges; starts the thaws that are due. The maintenance thread. */
  void run(List<RangeInfo> ranges) {
    Set<Long> still = new HashSet<>();
    for (RangeInfo ri : ranges) {
      MergeFreeze freeze = ri.freeze();
      if (freeze == null) {
        continue;
      }
      long id = ri.descriptor().rangeId();
      still.add(id);
      long now = nanos.getAsLong();
      Frozen f = frozen.get(id);
      if (f == null || f.index() != freeze.index()) {
        frozen.put(id, new Frozen(freeze.index(), now));
      } else if (now - f.sinceNanos() >= thawAfterNanos && ri.leader() == self
          && !merging.test(id) && thawing.add(id)) {
        Thread.ofVirtual().name("thaw-r" + id).start(() -> thaw(freeze, ri.descriptor()));
      }
    }
    frozen.keySet().retainAll(still);
  }

  private void thaw(MergeFreeze freeze, RangeDescriptor right) {
    long id = right.rangeId();
    String why = "range " + id + " was frozen at index " + freeze.index() + " for over "
        + Duration.ofNanos(thawAfterNanos).toSeconds() + " s with no merge of it running on"
        + " node " + self;
    try {
      if (abandoner.abandonAndThaw(freeze, right, why, new ArrayList<>())
          == MergeAbandonment.ALREADY_MERGED) {
        log.accept("range " + id + " was merged into range " + freeze.leftRangeId() + " already"
            + "; its replica here goes once range " + freeze.leftRangeId() + " applies that");
      }
    } catch (MergeFailed e) {
      frozen.computeIfPresent(id, (k, f) -> f.index() == freeze.index()
          ? new Frozen(f.index(), nanos.getAsLong()) : f);
      log.accept(e.getMessage() + " (merge watchdog; tried again later)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      thawing.remove(id);
    }
  }
}
