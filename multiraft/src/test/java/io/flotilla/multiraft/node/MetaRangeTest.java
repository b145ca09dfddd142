package io.flotilla.multiraft.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.flotilla.config.HostPort;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.DeletePb;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.proto.PutPb;
import io.flotilla.multiraft.proto.RangeInfoPb;
import io.flotilla.multiraft.proto.RangeLookupRequest;
import io.flotilla.multiraft.proto.RangeLookupResponse;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.runtime.ApplyResult;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RangeMeta;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.transport.TransportOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The meta records of real {@link Node}s over gRPC on loopback: written at bootstrap, kept true
 * through up-replication and splits by each range leader's reconciler (forwarding to the
 * system range's leader), and repaired after a lost write; and routing from them.
 */
class MetaRangeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private final Map<Long, Node> nodes = new TreeMap<>();
  private final List<AutoCloseable> closeLast = new ArrayList<>();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  private NodeConfig config(String name, List<HostPort> join, int replicationFactor) {
    NodeConfig c = NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join)
        .withRuntime(new RuntimeOptions(20, 10, 3, 100_000))
        .withTransport(TransportOptions.DEFAULTS.withLivenessTimeout(Duration.ofMillis(400))
            .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200)))
        .withTimings(Duration.ofMillis(100), Duration.ofSeconds(1))
        .withHttp(Optional.empty());
    return new NodeConfig(c.store(), c.listen(), c.advertise(), c.join(), c.http(), c.runtime(),
        c.transport(), replicationFactor, c.maintenanceInterval(), c.nodeDeadAfter(),
        c.joinTimeout(), c.mergeThawAfter());
  }

  private Node start(String name, List<HostPort> join, int replicationFactor) {
    Node n = Node.start(config(name, join, replicationFactor), l -> log.add(name + ": " + l));
    nodes.put(n.nodeId(), n);
    return n;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeLast) {
      c.close();
    }
    nodes.values().forEach(Node::close);
  }

  private ManagedChannel channel(Node n) {
    ManagedChannel c = ManagedChannelBuilder.forTarget(n.address()).usePlaintext().build();
    closeLast.add(c::shutdownNow);
    return c;
  }

  @Test
  void recordsFollowBootstrapUpReplicationSplitsAndARepairedLoss() throws Exception {
    Node n1 = start("n1", List.of(), 3);
    await("node 1's records describe the first two ranges", () -> metaIsTrueOn(n1, 2));
    start("n2", List.of(HostPort.parse(n1.address())), 3);
    start("n3", List.of(HostPort.parse(n1.address())), 3);
    await("up-replication to three voters reaches every node's meta records",
        () -> allMetaTrue(2) && nodes.values().stream().allMatch(n -> n.metaRecords().stream()
            .allMatch(r -> RangeDescriptor.fromProto(r.getRange()).members().voters()
                .size() == 3)));

    AdminSplitResponse split = NodeAdminGrpc.newBlockingStub(channel(n1))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .split(AdminSplitRequest.newBuilder().setUserKey(ByteString.copyFromUtf8("m")).build());
    assertTrue(!split.hasError(), split.toString());
    await("the split reaches every node's meta records", () -> allMetaTrue(3));
    List<RangeMetaPb> afterSplit = n1.metaRecords();

    // Lose the split's meta writes: put the record of the whole user range back, as it was
    // before the split, and delete the left half's. The reconcilers write them again.
    RangeMetaPb leftHalf = afterSplit.get(1);
    RangeMetaPb wholeUserRange = RangeMeta.record(new RangeDescriptor(
        Keyspace.FIRST_USER_RANGE_ID, Keyspace.userStart(), new byte[0], 0,
        RangeDescriptor.fromProto(leftHalf.getRange()).members()), leftHalf.getLeader(), 1);
    byte[] endKey = RangeMeta.key(new byte[0]);
    CommandPb lose = CommandPb.newBuilder()
        .addPuts(PutPb.newBuilder().setKey(ByteString.copyFrom(endKey))
            .setValue(wholeUserRange.toByteString()))
        .addDeletes(DeletePb.newBuilder().setKey(ByteString.copyFrom(RangeMeta.key(
            leftHalf.getRange().getEndKey().toByteArray()))))
        .build();
    awaitApplied(lose);
    await("the lost records are written again", () -> allMetaTrue(3));
  }

  @Test
  void aNodeHoldingNoReplicaRoutesClientsFromTheMetaRecords() throws Exception {
    // Replication factor 1: node 1 holds every range, nodes 2 and 3 hold none at all.
    Node n1 = start("n1", List.of(), 1);
    start("n2", List.of(HostPort.parse(n1.address())), 1);
    Node n3 = start("n3", List.of(HostPort.parse(n1.address())), 1);
    // Right after its start node 1 may not lead range 2 yet: the split is refused with "retry".
    AdminSplitResponse[] split = new AdminSplitResponse[1];
    await("node 1 splits range 2", () -> {
      split[0] = NodeAdminGrpc.newBlockingStub(channel(n1)).withDeadlineAfter(10, TimeUnit.SECONDS)
          .split(AdminSplitRequest.newBuilder().setUserKey(ByteString.copyFromUtf8("m")).build());
      return !split[0].hasError() || split[0].getError().getCode() != KvError.Code.NOT_LEADER;
    });
    assertTrue(!split[0].hasError(), split[0].toString());
    await("node 1's records describe the three ranges", () -> metaIsTrueOn(n1, 3));
    assertTrue(n3.ranges().isEmpty() && n3.metaRecords().isEmpty(), "node 3 holds nothing");

    // Node 3 passes the lookup on to a node with the system range and answers from meta.
    RangeLookupResponse lookup = KvGrpc.newBlockingStub(channel(n3))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .rangeLookup(RangeLookupRequest.newBuilder().setKey(ByteString.copyFrom(
            Keyspace.toInternal(utf8("a")))).build());
    assertTrue(!lookup.hasError(), lookup.toString());
    List<RangeMetaPb> meta = n1.metaRecords();
    assertEquals(List.of(meta.get(1).getRange(), meta.get(2).getRange()),
        lookup.getRangesList().stream().map(RangeInfoPb::getRange).toList(),
        "the range holding 'a' and the one after it");
    assertTrue(lookup.getRangesList().stream().allMatch(ri -> ri.getLeader() == 1),
        lookup.toString());

    // A client that knows only node 3 reaches both user ranges on node 1.
    try (KvClient client = new KvClient(List.of(n3.address()),
        KvClientOptions.defaults().withTotalTimeout(WAIT))) {
      client.put(utf8("a"), utf8("left"));
      client.put(utf8("z"), utf8("right"));
      assertEquals("left", new String(client.get(utf8("a")), StandardCharsets.UTF_8));
      assertEquals(List.of("a", "z"), client.scan(new byte[0], null, 10).stream()
          .map(e -> new String(e.key(), StandardCharsets.UTF_8)).toList());
    }
  }

  // ------------------------------------------------------------------ helpers

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Proposes a raw write on the system range at whichever node leads it. */
  private void awaitApplied(CommandPb cmd) {
    await("the system range's leader applies the write", () -> {
      for (Node n : nodes.values()) {
        for (RangeInfo ri : n.ranges()) {
          if (ri.descriptor().rangeId() == Keyspace.SYSTEM_RANGE_ID
              && ri.leader() == n.nodeId()) {
            try {
              ApplyResult r = n.runtime().propose(Keyspace.SYSTEM_RANGE_ID,
                  RangeMeta.PREFIX, cmd).get(10, TimeUnit.SECONDS);
              return r.ok();
            } catch (Exception e) {
              return false; // lost leadership meanwhile: ask the next leader
            }
          }
        }
      }
      return false;
    });
  }

  private boolean allMetaTrue(int ranges) {
    return nodes.values().stream().allMatch(n -> metaIsTrueOn(n, ranges));
  }

  /**
   * Whether node {@code n}'s copy of the meta records holds one record per range, each equal to
   * the descriptor of every replica of that range and naming its current leader.
   */
  private boolean metaIsTrueOn(Node n, int ranges) {
    Map<Long, RangeDescriptor> current = new HashMap<>();
    Map<Long, Long> leaders = new HashMap<>();
    for (Node holder : nodes.values()) {
      for (RangeInfo ri : holder.ranges()) {
        long id = ri.descriptor().rangeId();
        RangeDescriptor seen = current.putIfAbsent(id, ri.descriptor());
        if (seen != null && !seen.equals(ri.descriptor())) {
          return false; // the replicas do not agree yet
        }
        if (ri.leader() == holder.nodeId()) {
          leaders.put(id, holder.nodeId());
        }
      }
    }
    List<RangeMetaPb> records = n.metaRecords();
    if (current.size() != ranges || records.size() != ranges) {
      return false;
    }
    for (RangeMetaPb r : records) {
      long id = r.getRange().getRangeId();
      if (!RangeDescriptor.fromProto(r.getRange()).equals(current.get(id))
          || r.getLeader() != leaders.getOrDefault(id, -1L)) {
        return false;
      }
    }
    return true;
  }

  private void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        StringBuilder state = new StringBuilder();
        for (Node n : nodes.values()) {
          state.append("\n  ").append(n);
          for (RangeInfo ri : n.ranges()) {
            state.append("\n    ").append(ri);
          }
          for (RangeMetaPb r : n.metaRecords()) {
            state.append("\n    meta: ").append(RangeDescriptor.fromProto(r.getRange()))
                .append(" leader ").append(r.getLeader()).append(" term ")
                .append(r.getLeaderTerm());
          }
        }
        state.append("\n  log:");
        synchronized (log) {
          log.forEach(l -> state.append("\n    ").append(l));
        }
        throw new AssertionError("timed out waiting until " + what + state);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }
}
