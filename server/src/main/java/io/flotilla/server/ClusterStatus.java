package io.flotilla.server;

import io.flotilla.multiraft.node.PeerClients;
import io.flotilla.multiraft.node.SystemKeys;
import io.flotilla.multiraft.proto.NodeInfoPb;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.proto.RangeStatusPb;
import io.flotilla.multiraft.proto.StatusRequest;
import io.flotilla.multiraft.proto.StatusResponse;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A cluster as its nodes describe it: the first node that answers names every node; each is
 * then asked for its own view ({@code NodeAdmin.Status}). A node that answers is live. A
 * range's leader is taken from the node that says it leads it (the Raft leader of the highest
 * term), else from the freshest replica's hint, marked unconfirmed.
 */
final class ClusterStatus {
  /** One node: its status, or why it did not answer. */
  record NodeView(long id, String address, StatusResponse status, String error) {
    boolean live() {
      return status != null;
    }
  }

  /** One range as the best-informed replica reports it. */
  /**
   * One range as the best-informed replica reports it.
   *
   * @param meta how the newest meta record any live node holds compares with it: {@code ok},
   *     {@code stale} (the reconciler has yet to record a change), {@code missing}, or {@code ?}
   *     when no live node holds the system range
   */
  record RangeView(RangeDescriptor descriptor, long leader, boolean confirmed, long applied,
      List<Long> holders, String meta) {}

  final long clusterId;
  final String asked;
  final List<NodeView> nodes;
  final List<RangeView> ranges;

  private ClusterStatus(long clusterId, String asked, List<NodeView> nodes,
      List<RangeView> ranges) {
    this.clusterId = clusterId;
    this.asked = asked;
    this.nodes = nodes;
    this.ranges = ranges;
  }

  /**
   * Asks {@code addresses} in turn until one answers, then every node it knows.
   *
   * @throws IllegalStateException naming every address tried and why, if none answered
   */
  static ClusterStatus gather(List<String> addresses, PeerClients clients, Duration timeout) {
    StringBuilder failures = new StringBuilder();
    for (String address : addresses) {
      try {
        StatusResponse first = status(clients, address, timeout).join();
        return from(address, first, clients, timeout);
      } catch (RuntimeException e) {
        failures.append("\n  ").append(address).append(": ").append(reason(e));
      }
    }
    throw new IllegalStateException("no node answered:" + failures);
  }

  private static CompletableFuture<StatusResponse> status(PeerClients clients, String address,
      Duration timeout) {
    return PeerClients.call(o -> clients.admin(address, timeout).status(
        StatusRequest.getDefaultInstance(), o));
  }

  private static String reason(Throwable e) {
    while (e.getCause() != null && (e instanceof java.util.concurrent.CompletionException)) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  private static ClusterStatus from(String asked, StatusResponse first, PeerClients clients,
      Duration timeout) {
    Map<Long, String> book = new TreeMap<>();
    for (NodeInfoPb n : first.getNodesList()) {
      book.put(n.getNodeId(), n.getAddress());
    }
    book.put(first.getNodeId(), first.getAddress());
    Map<Long, CompletableFuture<StatusResponse>> asks = new LinkedHashMap<>();
    book.forEach((id, addr) -> asks.put(id, id == first.getNodeId()
        ? CompletableFuture.completedFuture(first) : status(clients, addr, timeout)));
    List<NodeView> nodes = new ArrayList<>();
    asks.forEach((id, f) -> {
      try {
        StatusResponse s = f.join();
        if (s.getClusterId() != first.getClusterId() || s.getNodeId() != id) {
          nodes.add(new NodeView(id, book.get(id), null, "answers as node " + s.getNodeId()
              + " of cluster " + Long.toUnsignedString(s.getClusterId(), 16)));
        } else {
          nodes.add(new NodeView(id, book.get(id), s, null));
        }
      } catch (RuntimeException e) {
        nodes.add(new NodeView(id, book.get(id), null, reason(e)));
      }
    });
    return new ClusterStatus(first.getClusterId(), asked, nodes, merge(nodes));
  }

  private record Report(long node, RangeStatusPb range) {}

  private static List<RangeView> merge(List<NodeView> nodes) {
    Map<Long, List<Report>> byRange = new TreeMap<>();
    for (NodeView n : nodes) {
      if (n.live()) {
        for (RangeStatusPb r : n.status().getRangesList()) {
          byRange.computeIfAbsent(r.getRange().getRangeId(), k -> new ArrayList<>())
              .add(new Report(n.id(), r));
        }
      }
    }
    Map<Long, RangeMetaPb> meta = new HashMap<>();
    boolean metaSeen = false;
    for (NodeView n : nodes) {
      if (n.live()) {
        metaSeen |= n.status().getMetaCount() > 0;
        for (RangeMetaPb r : n.status().getMetaList()) {
          meta.merge(r.getRange().getRangeId(), r,
              (a, b) -> RangeMeta.supersedes(b, a) ? b : a);
        }
      }
    }
    List<RangeView> out = new ArrayList<>();
    for (List<Report> reports : byRange.values()) {
      // The leader's own report of the highest term, else the freshest replica's.
      Report leader = reports.stream().filter(r -> r.range().getLeader() == r.node())
          .max(Comparator.comparingLong(r -> r.range().getTerm())).orElse(null);
      Report pick = leader != null ? leader : reports.stream()
          .max(Comparator.comparingLong((Report r) -> r.range().getRange().getGeneration())
              .thenComparingLong(r -> r.range().getApplied())).orElseThrow();
      RangeDescriptor d = RangeDescriptor.fromProto(pick.range().getRange());
      RangeMetaPb record = meta.get(d.rangeId());
      String metaState = !metaSeen ? "?" : record == null ? "missing"
          : RangeDescriptor.fromProto(record.getRange()).equals(d) ? "ok" : "stale";
      out.add(new RangeView(d, pick.range().getLeader(), leader != null,
          pick.range().getApplied(), reports.stream().map(Report::node).sorted().toList(),
          metaState));
    }
    out.sort(Comparator.comparing(v -> v.descriptor().startKey(), Arrays::compareUnsigned));
    return out;
  }

  /** The report {@code flotilla status} prints. */
  String render() {
    StringBuilder b = new StringBuilder();
    long live = nodes.stream().filter(NodeView::live).count();
    b.append("cluster ").append(Long.toUnsignedString(clusterId, 16)).append(": ")
        .append(nodes.size()).append(" nodes (").append(live).append(" live), ")
        .append(ranges.size()).append(" ranges; asked ").append(asked).append("\n\n");
    b.append(String.format("%-6s %-22s %-5s %-7s %s%n", "node", "address", "live", "ranges",
        "leads"));
    for (NodeView n : nodes) {
      if (n.live()) {
        long leads = n.status().getRangesList().stream()
            .filter(r -> r.getLeader() == n.id()).count();
        b.append(String.format("%-6d %-22s %-5s %-7d %d%n", n.id(), n.address(), "yes",
            n.status().getRangesCount(), leads));
      } else {
        b.append(String.format("%-6d %-22s %-5s %-7s %s%n", n.id(), n.address(), "no", "-",
            "(" + n.error() + ")"));
      }
    }
    b.append('\n');
    b.append(String.format("%-20s %-24s %-10s %-9s %-8s %-8s %s%n", "range", "span", "voters",
        "learners", "leader", "meta", "applied"));
    for (RangeView r : ranges) {
      var m = r.descriptor().members();
      b.append(String.format("%-20d %-24s %-10s %-9s %-8s %-8s %d%n", r.descriptor().rangeId(),
          SystemKeys.displaySpan(r.descriptor().startKey(), r.descriptor().endKey()),
          ids(m.voters()), ids(m.learners()),
          r.leader() == 0 ? "none" : r.leader() + (r.confirmed() ? "" : "?"), r.meta(),
          r.applied()));
    }
    if (ranges.stream().anyMatch(r -> !r.confirmed())) {
      b.append("\n(?: a leader no live node confirms, as last heard by a follower)\n");
    }
    return b.toString();
  }

  private static String ids(java.util.Set<Long> ids) {
    return ids.isEmpty() ? "-" : ids.stream().sorted().map(String::valueOf)
        .collect(Collectors.joining(","));
  }
}
