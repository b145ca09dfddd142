package io.flotilla.multiraft.node;

import io.flotilla.kv.WalStats;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeStats;
import io.flotilla.multiraft.transport.TransportStats;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A node's metrics in the Prometheus text exposition format (version 0.0.4): the counters of
 * the store runtime, of the raft-log WAL and of the transport, node-level gauges, and a few
 * gauges per range (labelled {@code range="<id>"}).
 *
 * <p>Every component of {@link RuntimeStats}, {@link WalStats} and {@link TransportStats} is
 * exported under {@code flotilla_<group>_<component in snake case>}, with {@code _total} for
 * counters, so a counter added to one of those records shows up here without a change.
 */
final class Metrics {
  /** Components of the stats records that are gauges (they go down as well as up). */
  private static final Set<String> GAUGES = Set.of("queuedMessages", "queuedBytes");

  /** What one scrape reads. */
  record Sample(long nodeId, long clusterId, RuntimeStats runtime, WalStats wal,
      TransportStats transport, List<RangeInfo> ranges, int liveNodes, int knownNodes) {}

  private Metrics() {}

  static String render(Sample s) {
    StringBuilder out = new StringBuilder(4096 + 200 * s.ranges().size());
    gauge(out, "flotilla_node_info", "this node's id and cluster (value always 1)",
        List.of(new Line("{node=\"" + s.nodeId() + "\",cluster=\""
            + Long.toUnsignedString(s.clusterId(), 16) + "\"}", 1)));
    record("runtime", s.runtime(), out);
    record("wal", s.wal(), out);
    record("transport", s.transport(), out);
    int led = 0;
    int quiet = 0;
    for (RangeInfo ri : s.ranges()) {
      led += ri.leader() == s.nodeId() ? 1 : 0;
      quiet += ri.quiescent() ? 1 : 0;
    }
    gauge(out, "flotilla_nodes_live", "nodes heard from within the liveness window, this one"
        + " included", List.of(new Line("", s.liveNodes())));
    gauge(out, "flotilla_nodes_known", "nodes in this node's address book",
        List.of(new Line("", s.knownNodes())));
    gauge(out, "flotilla_ranges", "replicas on this node", List.of(new Line("",
        s.ranges().size())));
    gauge(out, "flotilla_ranges_leader", "replicas on this node that lead their range",
        List.of(new Line("", led)));
    gauge(out, "flotilla_ranges_quiescent", "replicas on this node that stopped ticking",
        List.of(new Line("", quiet)));
    List<RangeInfo> sorted = new ArrayList<>(s.ranges());
    sorted.sort(Comparator.comparingLong(ri -> ri.descriptor().rangeId()));
    perRange(out, sorted, "flotilla_range_leader", "1 if this node leads the range",
        ri -> ri.leader() == s.nodeId() ? 1 : 0);
    perRange(out, sorted, "flotilla_range_quiescent", "1 if the replica stopped ticking",
        ri -> ri.quiescent() ? 1 : 0);
    perRange(out, sorted, "flotilla_range_applied_index", "the replica's applied index",
        RangeInfo::applied);
    perRange(out, sorted, "flotilla_range_term", "the replica's Raft term", RangeInfo::term);
    perRange(out, sorted, "flotilla_range_voters", "voters in the range's configuration",
        ri -> ri.descriptor().members().voters().size());
    return out.toString();
  }

  private record Line(String labels, long value) {}

  private static void gauge(StringBuilder out, String name, String help, List<Line> lines) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" gauge\n");
    for (Line l : lines) {
      out.append(name).append(l.labels()).append(' ').append(l.value()).append('\n');
    }
  }

  private static void perRange(StringBuilder out, List<RangeInfo> ranges, String name,
      String help, java.util.function.ToLongFunction<RangeInfo> value) {
    List<Line> lines = new ArrayList<>(ranges.size());
    for (RangeInfo ri : ranges) {
      lines.add(new Line("{range=\"" + ri.descriptor().rangeId() + "\"}",
          value.applyAsLong(ri)));
    }
    gauge(out, name, help, lines);
  }

  /** Every long component of a stats record as one metric. */
  private static void record(String group, Record stats, StringBuilder out) {
    for (RecordComponent c : stats.getClass().getRecordComponents()) {
      long value;
      try {
        value = ((Number) c.getAccessor().invoke(stats)).longValue();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + c, e);
      }
      boolean gauge = GAUGES.contains(c.getName());
      String name = "flotilla_" + group + "_" + snake(c.getName()) + (gauge ? "" : "_total");
      out.append("# HELP ").append(name).append(' ').append(stats.getClass().getSimpleName())
          .append('.').append(c.getName()).append('\n');
      out.append("# TYPE ").append(name).append(gauge ? " gauge\n" : " counter\n");
      out.append(name).append(' ').append(value).append('\n');
    }
  }

  static String snake(String camel) {
    StringBuilder b = new StringBuilder();
    for (char ch : camel.toCharArray()) {
      if (Character.isUpperCase(ch)) {
        b.append('_').append(Character.toLowerCase(ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }
}
