package io.flotilla.multiraft.node;

import io.flotilla.kv.Store;
import io.flotilla.kv.mvcc.KvPair;
import io.flotilla.kv.mvcc.MvccReader;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RangeMeta;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.rocksdb.ReadOptions;

/**
 * Keeps the meta records true: every round, for each range this node leads, compares the
 * range's descriptor (and this node as its leader, in its term) with the meta record and sends
 * the records that are out of date to the system range, all in one update. A split, a
 * membership change or a new leader thus reaches the meta records within a round or two, and
 * a crash between a change and its meta write is repaired by the next leader's rounds.
 *
 * <p>What is out of date: if this node holds a replica of the system range, a record older
 * than the leader's view by its own copy. That copy may lag, but only ever shows a record older
 * than the truth, so it never hides a needed write; an update it sends in vain is a no-op (the
 * system range stores a record only over an older one). A node without a replica of the system
 * range sends what changed since its last confirmed update.
 *
 * <p>One update in flight at a time; a failed one is retried by the next round.
 *
 * <p>A round over the very list (the same object) that the last full round found up to date is
 * skipped: the runtime publishes a new list whenever a range changes, the system range's
 * applied index included, and records only ever get newer, so nothing can have become out of
 * date. An idle node thus neither reads its copy of the records nor builds one per range every
 * round.
 */
final class MetaReconciler {
  /** At most this many records per update: bounds one Raft command. */
  static final int MAX_RECORDS_PER_UPDATE = 1000;
  private static final int MAX_RECORDS = 1_000_000;

  private final long self;
  private final Supplier<List<RangeMetaPb>> localRecords;
  private final Function<List<RangeMetaPb>, CompletableFuture<Void>> write;
  private final Consumer<String> log;
  /** By range id: the record last confirmed stored (or superseded) by the system range. */
  private final Map<Long, RangeMetaPb> confirmed = new HashMap<>();
  private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
  /** The ranges of the last round that found every record up to date. */
  private List<RangeInfo> upToDate;
  private boolean failing;

  /**
   * @param write stores records in the system range (fails if it could not); normally through
   *     {@link MetaWriter}
   */
  MetaReconciler(long self, Store store,
      Function<List<RangeMetaPb>, CompletableFuture<Void>> write, Consumer<String> log) {
    this(self, () -> readLocal(store), write, log);
  }

  /**
   * @param localRecords this store's copy of the meta records (normally {@link #readLocal}),
   *     read only in rounds of a node holding the system range
   */
  MetaReconciler(long self, Supplier<List<RangeMetaPb>> localRecords,
      Function<List<RangeMetaPb>, CompletableFuture<Void>> write, Consumer<String> log) {
    this.self = self;
    this.localRecords = localRecords;
    this.write = write;
    this.log = log;
  }

  /** One round over this node's ranges; returns the records sent (empty: none). */
  synchronized List<RangeMetaPb> run(List<RangeInfo> ranges) {
    if (!inFlight.isDone() || ranges == upToDate) {
      return List.of();
    }
    boolean holdsSystem = ranges.stream()
        .anyMatch(ri -> ri.descriptor().rangeId() == SystemKeys.SYSTEM_RANGE_ID);
    Map<ByteBuffer, RangeMetaPb> local = holdsSystem ? byEndKey(localRecords.get()) : Map.of();
    List<RangeMetaPb> stale = new ArrayList<>();
    for (RangeInfo ri : ranges) {
      if (ri.leader() != self || stale.size() == MAX_RECORDS_PER_UPDATE) {
        continue;
      }
      RangeMetaPb wanted = RangeMeta.record(ri.descriptor(), self, ri.term());
      boolean outOfDate = holdsSystem
          ? RangeMeta.supersedes(wanted, local.get(ByteBuffer.wrap(ri.descriptor().endKey())))
          : !wanted.equals(confirmed.get(ri.descriptor().rangeId()));
      if (outOfDate) {
        stale.add(wanted);
      }
    }
    if (stale.isEmpty()) {
      upToDate = ranges;
      return List.of();
    }
    inFlight = write.apply(stale).whenComplete((v, e) -> settle(stale, e));
    return stale;
  }

  private synchronized void settle(List<RangeMetaPb> sent, Throwable failure) {
    if (failure == null) {
      for (RangeMetaPb r : sent) {
        confirmed.put(r.getRange().getRangeId(), r);
      }
      if (failing) {
        log.accept("meta: records stored again after failures");
      }
      failing = false;
    } else if (!failing) {
      // Logged once per run of failures: the system range may be electing for a while.
      failing = true;
      log.accept("meta: storing " + sent.size() + " records failed (retried every round): "
          + Membership.cause(failure));
    }
  }

  /**
   * The meta records as this store's replica of the system range last applied them, in key
   * order. A value that is no record is left out: to the reconciler it is missing, and the
   * update that replaces it is stored over it.
   */
  static List<RangeMetaPb> readLocal(Store store) {
    List<RangeMetaPb> out = new ArrayList<>();
    try (ReadOptions ro = new ReadOptions()) {
      for (KvPair p : new MvccReader(store, ro).scan(RangeMeta.PREFIX, RangeMeta.PREFIX_END,
          Long.MAX_VALUE, MAX_RECORDS, false)) {
        try {
          out.add(RangeMeta.decode(p.key(), p.value()));
        } catch (IllegalStateException corrupt) {
          // Left out, as documented above.
        }
      }
    }
    return out;
  }

  private static Map<ByteBuffer, RangeMetaPb> byEndKey(List<RangeMetaPb> records) {
    Map<ByteBuffer, RangeMetaPb> out = new HashMap<>();
    for (RangeMetaPb r : records) {
      out.put(ByteBuffer.wrap(r.getRange().getEndKey().toByteArray()), r);
    }
    return out;
  }
}
