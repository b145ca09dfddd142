package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.kv.WalStats;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeStats;
import io.flotilla.multiraft.transport.TransportStats;
import io.flotilla.raft.ConfState;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Prometheus text: well-formed lines, counters and gauges, per-range labels. */
class MetricsTest {
  private static final Pattern SAMPLE =
      Pattern.compile("[a-z_]+(\\{[a-z]+=\"[0-9a-f]+\"(,[a-z]+=\"[0-9a-f]+\")*})? -?[0-9]+");

  @Test
  void everyLineIsACommentOrASample() {
    RangeInfo r1 = new RangeInfo(new RangeDescriptor(1, new byte[0], new byte[] {1}, 0,
        ConfState.ofVoters(1L, 2L, 3L)), 1, 4, 17, true);
    RangeInfo r2 = new RangeInfo(new RangeDescriptor(2, new byte[] {1}, new byte[0], 0,
        ConfState.ofVoters(1L, 2L, 3L)), 2, 3, 9, false);
    String text = Metrics.render(new Metrics.Sample(1, 0xabcL,
        new RuntimeStats(10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0),
        new WalStats(11, 12, 13, 14, 15),
        new TransportStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
            20, 21, 22, 23, 24), List.of(r2, r1), 3, 3));
    for (String line : text.split("\n")) {
      assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ")
          || SAMPLE.matcher(line).matches(), "bad line: " + line);
    }
    assertTrue(text.contains("# TYPE flotilla_runtime_wal_batches_total counter\n"
        + "flotilla_runtime_wal_batches_total 9\n"), text);
    assertTrue(text.contains("flotilla_wal_syncs_total 11\n"), text);
    assertTrue(text.contains("flotilla_runtime_snapshots_installed_total 0\n"), text);
    assertTrue(text.contains("flotilla_transport_heartbeats_sent_total 3\n"), text);
    assertTrue(text.contains("# TYPE flotilla_transport_queued_messages gauge\n"
        + "flotilla_transport_queued_messages 23\n"), text);
    assertTrue(text.contains("flotilla_node_info{node=\"1\",cluster=\"abc\"} 1\n"), text);
    assertTrue(text.contains("flotilla_range_leader{range=\"1\"} 1\n"
        + "flotilla_range_leader{range=\"2\"} 0\n"), "ranges in id order:\n" + text);
    assertTrue(text.contains("flotilla_range_applied_index{range=\"1\"} 17\n"), text);
    assertTrue(text.contains("flotilla_range_quiescent{range=\"1\"} 1\n"), text);
    assertTrue(text.contains("flotilla_ranges_leader 1\n"), text);
  }

  @Test
  void camelCaseBecomesSnakeCase() {
    assertEquals("heartbeat_batches_sent", Metrics.snake("heartbeatBatchesSent"));
  }
}
