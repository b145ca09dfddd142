package io.flotilla.placement.txn;

import com.google.protobuf.ByteString;
import io.flotilla.config.HostPort;
import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.TxnClient;
import io.flotilla.multiraft.client.TxnOptions;
import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.node.Node;
import io.flotilla.multiraft.node.NodeConfig;
import io.flotilla.multiraft.proto.AdminMergeRequest;
import io.flotilla.multiraft.proto.AdminSplitRequest;
import io.flotilla.multiraft.proto.AdminSplitResponse;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.MoveReplicaRequest;
import io.flotilla.multiraft.proto.MutationPb;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.proto.PrewritePb;
import io.flotilla.multiraft.proto.RangeLookupRequest;
import io.flotilla.multiraft.proto.TxnCommandPb;
import io.flotilla.multiraft.proto.TxnCommitPb;
import io.flotilla.multiraft.proto.TxnGetRequest;
import io.flotilla.multiraft.proto.TxnGetResponse;
import io.flotilla.multiraft.proto.TransferLeaderRequest;
import io.flotilla.multiraft.proto.TxnRollbackPb;
import io.flotilla.multiraft.proto.TxnWriteRequest;
import io.flotilla.multiraft.proto.TxnWriteResponse;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RuntimeOptions;
import io.flotilla.multiraft.transport.TransportOptions;
import io.flotilla.placement.tso.TimestampOracle;
import io.flotilla.placement.tso.TsoClient;
import io.flotilla.placement.tso.TsoOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Real nodes over gRPC on loopback, each with the timestamp oracle, the user keyspace split at
 * the keys given; a {@link KvClient}, a {@link TsoClient} and {@link TxnClient}s on them. Tests
 * that play a transaction's coordinator by hand send its raw steps ({@link #txnWrite}) to the
 * leader of a key's range, and change the ranges through the admin API.
 */
final class TxnCluster implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);

  private final Path dir;
  private final List<Node> nodes = new ArrayList<>();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final List<TxnClient> clients = new ArrayList<>();
  final KvClient kv;
  final TsoClient tso;

  private TxnCluster(Path dir, List<String> splitKeys) {
    this.dir = dir;
    Node first = start("n1", List.of());
    start("n2", List.of(HostPort.parse(first.address())));
    start("n3", List.of(HostPort.parse(first.address())));
    splitKeys.forEach(this::split);
    int ranges = splitKeys.size() + 2;
    // Merges and moves need settled members: no learner left from the nodes' joining.
    await(ranges + " ranges with three voters and a leader on every node", () -> nodes.stream()
        .allMatch(n -> n.ranges().size() == ranges && n.ranges().stream().allMatch(ri ->
            ri.descriptor().members().voters().size() == 3 && ri.leader() != 0
                && ri.descriptor().members().learners().isEmpty())));
    List<String> addresses = nodes.stream().map(Node::address).toList();
    kv = new KvClient(addresses);
    tso = new TsoClient(addresses);
  }

  /** Three nodes; the user keyspace split at each of {@code splitKeys} (user keys). */
  static TxnCluster start(Path dir, String... splitKeys) {
    return new TxnCluster(dir, List.of(splitKeys));
  }

  private Node start(String name, List<HostPort> join) {
    NodeConfig c = NodeConfig.of(dir.resolve(name), new HostPort("127.0.0.1", 0), join)
        .withRuntime(new RuntimeOptions(20, 10, 3, 100_000))
        .withTransport(TransportOptions.DEFAULTS.withLivenessTimeout(Duration.ofMillis(600)))
        .withTimings(Duration.ofMillis(100), Duration.ofSeconds(1))
        .withHttp(Optional.empty());
    Node n = Node.start(c, line -> log.add(name + ": " + line),
        List.of(TimestampOracle.extension(TsoOptions.DEFAULTS)));
    nodes.add(n);
    return n;
  }

  /** Starts one more node, joined to the first, and waits until every node sees it live. */
  Node addNode() {
    Node n = start("n" + (nodes.size() + 1), List.of(HostPort.parse(nodes.get(0).address())));
    await("every node sees node " + n.nodeId() + " live", () -> nodes.stream()
        .allMatch(o -> o.liveNodes().contains(n.nodeId())));
    return n;
  }

  /** A transaction client; closed with the cluster. */
  TxnClient client(TxnOptions options) {
    TxnClient c = new TxnClient(kv, tso::getTimestamp, options);
    clients.add(c);
    return c;
  }

  List<Node> nodes() {
    return nodes;
  }

  String log() {
    return String.join("\n", log);
  }

  long ts() {
    return tso.getTimestamp();
  }

  @Override
  public void close() {
    clients.forEach(TxnClient::close);
    tso.close();
    kv.close();
    channels.values().forEach(ManagedChannel::shutdownNow);
    nodes.forEach(Node::close);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static byte[] internal(String userKey) {
    return Keyspace.toInternal(b(userKey));
  }

  private ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address,
        a -> ManagedChannelBuilder.forTarget(a).usePlaintext().build());
  }

  NodeAdminGrpc.NodeAdminBlockingStub admin() {
    return NodeAdminGrpc.newBlockingStub(channel(nodes.get(0).address()))
        .withDeadlineAfter(90, TimeUnit.SECONDS);
  }

  /** Splits the range holding {@code key} there, asking again until its range has a leader. */
  void split(String key) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      AdminSplitResponse r = admin().split(AdminSplitRequest.newBuilder()
          .setUserKey(ByteString.copyFrom(b(key))).build());
      if (!r.hasError()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("split at " + key + ": " + r.getError() + "; log " + log());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** Waits, checking every few milliseconds, until {@code cond} holds. */
  void await(String what, BooleanSupplier cond) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what + "; log " + log());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  /** The id of the range holding user key {@code key}, as its leader sees it. */
  long rangeOf(String key) {
    byte[] k = internal(key);
    for (Node n : nodes) {
      for (RangeInfo ri : n.ranges()) {
        if (ri.leader() == n.nodeId() && ri.descriptor().contains(k)) {
          return ri.descriptor().rangeId();
        }
      }
    }
    throw new AssertionError("no node leads a range holding " + key);
  }

  /** The node leading range {@code rangeId}, or 0. */
  long leaderOf(long rangeId) {
    for (Node n : nodes) {
      for (RangeInfo ri : n.ranges()) {
        if (ri.descriptor().rangeId() == rangeId && ri.leader() == n.nodeId()) {
          return n.nodeId();
        }
      }
    }
    return 0;
  }

  /** The voters of range {@code rangeId}, as its leader sees them. */
  List<Long> votersOf(long rangeId) {
    long leader = leaderOf(rangeId);
    return nodes.stream().filter(n -> n.nodeId() == leader).flatMap(n -> n.ranges().stream())
        .filter(ri -> ri.descriptor().rangeId() == rangeId)
        .flatMap(ri -> ri.descriptor().members().voters().stream()).sorted().toList();
  }

  /** Hands range {@code rangeId}'s leadership to node {@code to}, asking again if it is lost. */
  void transferLeader(long rangeId, long to) {
    await("node " + to + " leads range " + rangeId, () -> {
      if (leaderOf(rangeId) == to) {
        return true;
      }
      var r = admin().transferLeader(TransferLeaderRequest.newBuilder().setRangeId(rangeId)
          .setToStore(to).build());
      if (r.hasError() && r.getError().getCode() == KvError.Code.INVALID) {
        throw new AssertionError("transfer of range " + rangeId + ": " + r.getError());
      }
      // The transfer runs on after the answer: give it an election's time before asking again.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (leaderOf(rangeId) != to && System.nanoTime() < until) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
      return leaderOf(rangeId) == to;
    });
  }

  /** Moves range {@code rangeId}'s replica from node {@code from} to node {@code to}. */
  void moveReplica(long rangeId, long from, long to) {
    untilDone("move of range " + rangeId + " from " + from + " to " + to, () -> admin()
        .moveReplica(MoveReplicaRequest.newBuilder().setRangeId(rangeId).setFromStore(from)
            .setToStore(to).setTimeoutMillis(60_000).build()).getError());
  }

  /** Merges range {@code right} into its left neighbour {@code left}. */
  void merge(long left, long right) {
    untilDone("merge of range " + right + " into " + left, () -> admin()
        .merge(AdminMergeRequest.newBuilder().setLeftRangeId(left).setRightRangeId(right)
            .setTimeoutMillis(60_000).build()).getError());
  }

  /** Runs an admin step until it succeeds; a step that must not be made fails the test. */
  private void untilDone(String what, java.util.function.Supplier<KvError> step) {
    await(what, () -> {
      KvError e = step.get();
      if (e.getCode() == KvError.Code.INVALID) {
        throw new AssertionError(what + ": " + e);
      }
      return e.getCode() == KvError.Code.NONE;
    });
  }

  /**
   * A raw transactional step sent to the leader of the range holding {@code userKey} (each
   * node is asked in turn until one takes it), as a coordinator of its own would.
   */
  TxnWriteResponse txnWrite(String userKey, TxnCommandPb cmd) {
    return toLeader(userKey, (stub, range) -> stub.txnWrite(TxnWriteRequest.newBuilder()
        .setRangeId(range).setCommand(cmd).build()), TxnWriteResponse::hasError);
  }

  /** A raw snapshot read of {@code userKey} at {@code readTs}: no lock is resolved. */
  TxnGetResponse txnGet(String userKey, long readTs) {
    return toLeader(userKey, (stub, range) -> stub.txnGet(TxnGetRequest.newBuilder()
        .setRangeId(range).setKey(ByteString.copyFrom(internal(userKey))).setReadTs(readTs)
        .build()), TxnGetResponse::hasError);
  }

  private interface RangeCall<R> {
    R send(KvGrpc.KvBlockingStub stub, long rangeId);
  }

  private <R> R toLeader(String userKey, RangeCall<R> call, Function<R, Boolean> refused) {
    ByteString key = ByteString.copyFrom(internal(userKey));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      for (Node n : nodes) {
        KvGrpc.KvBlockingStub stub = KvGrpc.newBlockingStub(channel(n.address()))
            .withDeadlineAfter(10, TimeUnit.SECONDS);
        var lookup = stub.rangeLookup(RangeLookupRequest.newBuilder().setKey(key).build());
        if (lookup.getRangesCount() == 0) {
          continue;
        }
        R r = call.send(stub, lookup.getRanges(0).getRange().getRangeId());
        if (!refused.apply(r)) {
          return r;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no leader took the request for " + userKey + "; log "
            + log());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  /**
   * Prewrites {@code values} (user key to value; all in one range) for transaction {@code
   * start} with primary {@code primary}, as one command.
   */
  TxnWriteResponse prewrite(long start, String primary, long ttlMillis,
      Map<String, String> values) {
    SortedMap<String, String> sorted = new TreeMap<>(values);
    PrewritePb.Builder p = PrewritePb.newBuilder().setPrimary(ByteString.copyFrom(
        internal(primary))).setStartTs(start).setTtlMillis(ttlMillis);
    sorted.forEach((k, v) -> p.addMutations(MutationPb.newBuilder()
        .setKey(ByteString.copyFrom(internal(k))).setValue(ByteString.copyFrom(b(v)))));
    return txnWrite(sorted.firstKey(), TxnCommandPb.newBuilder().setPrewrite(p).build());
  }

  /** Commits {@code keys} (all in one range) of transaction {@code start} at {@code commitTs}. */
  TxnWriteResponse commit(long start, long commitTs, String... keys) {
    TxnCommitPb.Builder c = TxnCommitPb.newBuilder().setStartTs(start).setCommitTs(commitTs);
    for (String k : keys) {
      c.addKeys(ByteString.copyFrom(internal(k)));
    }
    return txnWrite(keys[0], TxnCommandPb.newBuilder().setCommit(c).build());
  }

  /** Rolls back {@code keys} (all in one range) of transaction {@code start}. */
  TxnWriteResponse rollback(long start, String... keys) {
    TxnRollbackPb.Builder r = TxnRollbackPb.newBuilder().setStartTs(start);
    for (String k : keys) {
      r.addKeys(ByteString.copyFrom(internal(k)));
    }
    return txnWrite(keys[0], TxnCommandPb.newBuilder().setRollback(r).build());
  }

  /** Whether a raw step succeeded; its message names the refusal otherwise. */
  static boolean ok(TxnWriteResponse r) {
    return !r.hasError() && !r.hasTxnError();
  }
}
