package io.flotilla.multiraft.runtime;

import io.flotilla.raft.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a runtime tells other threads about its ranges ({@link StoreRuntime#ranges}), rebuilt by
 * the raft thread each tick. Only the replicas marked changed since the last publish are looked
 * at again, and the list is replaced only if one of them looks different: a node whose ranges
 * are all quiet publishes nothing new and its readers keep the same list. A replica that does not
 * know its range yet ({@link Replica#initialized}) is left out: its span would be a guess.
 */
final class RangePublisher {
  /** Replicas that may have changed since the last {@link #publish}; raft thread only. */
  private final Set<Replica> changed = new LinkedHashSet<>();
  /** What was last published, by range id; raft thread only. */
  private final Map<Long, RangeInfo> infos = new HashMap<>();
  private volatile List<RangeInfo> published = List.of();

  void changed(Replica r) {
    changed.add(r);
  }

  List<RangeInfo> published() {
    return published;
  }

  /** Publishes {@code replicas} (the runtime's, by range id); on the raft thread. */
  void publish(Map<Long, Replica> replicas) {
    boolean different = false;
    for (Replica r : changed) {
      RangeInfo before = infos.get(r.rangeId);
      Replica current = replicas.get(r.rangeId);
      if (current != r) {
        // Gone, or replaced by a replica that is marked changed itself.
        different |= current == null && infos.remove(r.rangeId) != null;
        continue;
      }
      if (!r.initialized()) {
        different |= infos.remove(r.rangeId) != null;
        continue;
      }
      RangeInfo now = info(r);
      if (!sameInfo(before, now)) {
        infos.put(r.rangeId, now);
        different = true;
      }
    }
    changed.clear();
    if (different) {
      List<RangeInfo> out = new ArrayList<>(replicas.size());
      for (Long id : replicas.keySet()) {
        RangeInfo info = infos.get(id);
        if (info != null) {
          out.add(info);
        }
      }
      published = List.copyOf(out);
    }
  }

  static RangeInfo info(Replica r) {
    Map<Long, Long> match = Map.of();
    if (r.node.role() == Role.LEADER) {
      match = new HashMap<>();
      for (var e : r.node.status().progress().entrySet()) {
        match.put(e.getKey(), e.getValue().match());
      }
    }
    RangeLoad.Counts load = r.load.counts(r.descriptor.startKey());
    return new RangeInfo(r.descriptor, r.node.leader(), r.node.term(), r.applied,
        r.quiescent, r.node.commitIndex(), match, load.reads(), load.writes(),
        load.writeBytes(), load.splitKey(), r.freeze());
  }

  /** Equal, with the descriptor compared by identity (a replica replaces it on every change). */
  private static boolean sameInfo(RangeInfo a, RangeInfo b) {
    return a != null && a.descriptor() == b.descriptor() && a.leader() == b.leader()
        && a.term() == b.term() && a.applied() == b.applied()
        && a.quiescent() == b.quiescent() && a.commit() == b.commit()
        && a.match().equals(b.match()) && a.reads() == b.reads() && a.writes() == b.writes()
        && a.writeBytes() == b.writeBytes() && java.util.Objects.equals(a.freeze(), b.freeze());
  }
}
