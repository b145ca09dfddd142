package io.flotilla.multiraft.node;

import io.flotilla.multiraft.proto.GetRangeRequest;
import io.flotilla.multiraft.proto.GetRangeResponse;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.StoreRuntime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The replica GC (as CockroachDB's replica GC queue): finds replicas this node holds of ranges
 * that no longer count it as a member, which their leaders stopped talking to (a node that was
 * down or cut off while it was removed, or that never heard that its removal committed), and
 * has the runtime remove them ({@link StoreRuntime#removeReplica}).
 *
 * <p>Each maintenance round, a replica this node does not lead is <em>suspect</em> if it knows
 * no leader, is quiescent, or is not in its own members. A replica suspect for {@link
 * #SUSPECT_ROUNDS} rounds in a row is checked: against this node's meta records first (no RPC;
 * they lag, which only ever hides a removal, never invents one), then by asking the range's
 * leader through any node ({@code NodeAdmin.GetRange}). A descriptor of a later membership that
 * does not list this node removes the replica; anything else keeps it. Quiescent replicas with
 * a known leader are checked every {@link #QUIET_CHECK_ROUNDS} rounds only. At most one check
 * in flight per range.
 */
final class ReplicaGc {
  static final int SUSPECT_ROUNDS = 3;
  static final int QUIET_CHECK_ROUNDS = 20;

  private final long self;
  private final StoreRuntime runtime;
  private final Supplier<List<RangeMetaPb>> metaRecords;
  private final Function<GetRangeRequest, CompletableFuture<GetRangeResponse>> getRange;
  private final Consumer<String> log;
  private final Map<Long, Integer> suspectRounds = new HashMap<>();
  private final Set<Long> checking = java.util.concurrent.ConcurrentHashMap.newKeySet();

  ReplicaGc(long self, StoreRuntime runtime, Supplier<List<RangeMetaPb>> metaRecords,
      Function<GetRangeRequest, CompletableFuture<GetRangeResponse>> getRange,
      Consumer<String> log) {
    this.self = self;
    this.runtime = runtime;
    this.metaRecords = metaRecords;
    this.getRange = getRange;
    this.log = log;
  }

  /** One round over this node's ranges. Not thread-safe (the maintenance thread). */
  void run(List<RangeInfo> ranges) {
    Set<Long> seen = new HashSet<>();
    Map<Long, RangeDescriptor> records = null;
    for (RangeInfo ri : ranges) {
      long id = ri.descriptor().rangeId();
      seen.add(id);
      boolean notMember = !ri.descriptor().members().voters().contains(self)
          && !ri.descriptor().members().learners().contains(self)
          && !ri.descriptor().members().votersOutgoing().contains(self);
      boolean suspect = ri.leader() != self
          && (ri.leader() == 0 || ri.quiescent() || notMember);
      if (!suspect) {
        suspectRounds.remove(id);
        continue;
      }
      int rounds = suspectRounds.merge(id, 1, Integer::sum);
      boolean quietOnly = ri.leader() != 0 && !notMember;
      if (rounds < SUSPECT_ROUNDS || (quietOnly && rounds % QUIET_CHECK_ROUNDS != 0)
          || checking.contains(id)) {
        continue;
      }
      if (records == null) {
        records = new HashMap<>();
        for (RangeMetaPb r : metaRecords.get()) {
          records.put(r.getRange().getRangeId(), RangeDescriptor.fromProto(r.getRange()));
        }
      }
      RangeDescriptor record = records.get(id);
      if (record != null && StoreRuntime.isRemovedBy(self, ri.descriptor(), record)) {
        remove(ri, record, "the meta record");
        continue;
      }
      if (quietOnly) {
        continue; // a quiet range whose leader is known: the local records suffice
      }
      checking.add(id);
      getRange.apply(GetRangeRequest.newBuilder().setRangeId(id).build())
          .whenComplete((r, e) -> {
            try {
              if (e == null && r.hasRange()) {
                RangeDescriptor newer = RangeDescriptor.fromProto(r.getRange().getRange());
                if (StoreRuntime.isRemovedBy(self, ri.descriptor(), newer)) {
                  remove(ri, newer, r.getFromLeader() ? "its leader" : "another node");
                }
              }
            } finally {
              checking.remove(id);
            }
          });
    }
    suspectRounds.keySet().retainAll(seen);
  }

  private void remove(RangeInfo ri, RangeDescriptor newer, String source) {
    runtime.removeReplica(ri.descriptor().rangeId(), newer, 0).thenAccept(removed -> {
      if (removed) {
        log.accept("replica gc: range " + ri.descriptor().rangeId() + ": removed this node's"
            + " replica (members " + ri.descriptor().members().voters() + " as of index "
            + ri.descriptor().membersIndex() + "): " + source + " shows members "
            + newer.members().voters() + " learners " + newer.members().learners()
            + " as of index " + newer.membersIndex());
      }
    });
  }
}
