package io.flotilla.placement.driver;

import io.flotilla.multiraft.proto.RangeStatusPb;
import io.flotilla.multiraft.proto.StatusResponse;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.InFlight;
import io.flotilla.placement.model.PlacementHistory;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.model.StoreState;
import io.flotilla.placement.model.StoreStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the stores' last reports into the view the schedulers plan on. A range is described by
 * the node that leads it; a range whose leader did not report is taken from the freshest
 * descriptor any replica reported, with no leader. Load rates are the counters' growth since
 * the same leader's previous report (a new leader starts its counters from zero).
 */
final class ViewAssembler {
  /** A leader's counters for one range, as of one report. */
  private record Counted(long leader, long reads, long writes, long atMillis) {}

  private Map<Long, Counted> previous = new HashMap<>();

  /**
   * @param reports this round's answers: the ranges are taken from these only
   * @param lastReports each store's last answer, from this round or an earlier one
   * @param lastSeen when each store last answered, or when this driver took over if later: a
   *     store is not declared dead for having been silent before there was a driver to hear it
   */
  ClusterView assemble(long nowMillis, PlacementSettings settings, Map<Long, String> addresses,
      Map<Long, StorePoller.Report> reports, Map<Long, StorePoller.Report> lastReports,
      Map<Long, Long> lastSeen, Map<Long, StoreState> states, InFlight inFlight,
      PlacementHistory history) {
    Map<Long, RangeStatusPb> best = new HashMap<>();
    Map<Long, Long> reportedBy = new HashMap<>();
    for (StorePoller.Report report : reports.values()) {
      StatusResponse s = report.status();
      for (RangeStatusPb r : s.getRangesList()) {
        long id = r.getRange().getRangeId();
        RangeStatusPb known = best.get(id);
        boolean leads = r.getLeader() == s.getNodeId();
        boolean knownLeads = known != null && known.getLeader() == reportedBy.get(id);
        if (known == null || (leads && !knownLeads) || (leads == knownLeads
            && r.getRange().getGeneration() > known.getRange().getGeneration())) {
          best.put(id, r);
          reportedBy.put(id, s.getNodeId());
        }
      }
    }
    Map<Long, Counted> counted = new HashMap<>();
    List<RangeStats> ranges = new ArrayList<>(best.size());
    Map<Long, double[]> storeLoad = new HashMap<>();
    for (Map.Entry<Long, RangeStatusPb> e : best.entrySet()) {
      RangeStatusPb r = e.getValue();
      RangeDescriptor d = RangeDescriptor.fromProto(r.getRange());
      if (d.members().voters().isEmpty()) {
        continue;
      }
      long reporter = reportedBy.get(e.getKey());
      long leader = r.getLeader() == reporter ? reporter : 0;
      double reads = 0;
      double writes = 0;
      if (leader != 0) {
        long at = reports.get(reporter).atMillis();
        Counted now = new Counted(leader, r.getReads(), r.getWrites(), at);
        counted.put(d.rangeId(), now);
        Counted before = previous.get(d.rangeId());
        if (before != null && before.leader() == leader && at > before.atMillis()
            && now.reads() >= before.reads() && now.writes() >= before.writes()) {
          double secs = (at - before.atMillis()) / 1000.0;
          reads = (now.reads() - before.reads()) / secs;
          writes = (now.writes() - before.writes()) / secs;
        }
        double[] load = storeLoad.computeIfAbsent(leader, k -> new double[2]);
        load[0] += reads;
        load[1] += writes;
      }
      byte[] splitKey = r.getLoadSplitKey().isEmpty() ? null : r.getLoadSplitKey().toByteArray();
      ranges.add(new RangeStats(d.rangeId(), d.startKey(), d.endKey(), d.generation(),
          List.copyOf(d.members().voters()), List.copyOf(d.members().learners()), leader,
          r.getApproxBytes(), r.getApproxKeys(), reads, writes, splitKey,
          d.stickyUntilMillis()));
    }
    previous = counted;
    ranges.sort(Comparator.comparing(RangeStats::startKey, Arrays::compareUnsigned));
    Map<Long, StoreStats> stores = new HashMap<>();
    for (long id : addresses.keySet()) {
      StorePoller.Report report = lastReports.get(id);
      StoreState state = states.getOrDefault(id, StoreState.UP);
      long seen = lastSeen.getOrDefault(id, 0L);
      if (report == null) {
        stores.put(id, StoreStats.of(id, state, seen));
        continue;
      }
      StatusResponse s = report.status();
      int replicas = 0;
      int leaders = 0;
      for (RangeStatusPb r : s.getRangesList()) {
        replicas++;
        if (r.getLeader() == id) {
          leaders++;
        }
      }
      double[] load = storeLoad.getOrDefault(id, new double[2]);
      stores.put(id, new StoreStats(id, state, s.getStore().getCapacityBytes(),
          s.getStore().getAvailableBytes(), s.getStore().getUsedBytes(), replicas, leaders, load[0], load[1], 0, seen));
    }
    return new ClusterView(nowMillis, settings, stores, ranges, inFlight, history);
  }
}
