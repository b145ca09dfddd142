package io.flotilla.multiraft.node;

import com.google.protobuf.ByteString;
import io.flotilla.kv.Store;
import io.flotilla.kv.mvcc.KvPair;
import io.flotilla.kv.mvcc.MvccReader;
import io.flotilla.multiraft.kv.ClusterMembership;
import io.flotilla.multiraft.proto.AdminJoinRequest;
import io.flotilla.multiraft.proto.CasPb;
import io.flotilla.multiraft.proto.CommandPb;
import io.flotilla.multiraft.proto.JoinRequest;
import io.flotilla.multiraft.proto.JoinResponse;
import io.flotilla.multiraft.proto.KvError;
import io.flotilla.multiraft.proto.NodeInfoPb;
import io.flotilla.multiraft.proto.NodesResponse;
import io.flotilla.multiraft.proto.PingRequest;
import io.flotilla.multiraft.proto.PingResponse;
import io.flotilla.multiraft.proto.PutPb;
import io.flotilla.multiraft.proto.RegisterRequest;
import io.flotilla.multiraft.proto.RegisterResponse;
import io.flotilla.multiraft.runtime.ApplyResult;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.StoreRuntime;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.rocksdb.ReadOptions;

/**
 * The membership of nodes: the node registry in the system range (range 1), joins, address
 * (re-)registration, and the address book kept current from the registry and from peers.
 *
 * <p>Writes to the registry are made by the system range's leader; any other node forwards a
 * join or a registration there once (a forwarded call is never forwarded again, so a leader
 * change cannot bounce it around) and the caller retries on failure. Node ids come from a
 * counter advanced only by compare-and-set, so two concurrent joins never get the same id,
 * whichever nodes they reach and however leadership moves.
 */
final class Membership implements ClusterMembership {
  private static final int MAX_CAS_ATTEMPTS = 16;
  private static final int MAX_NODES = 10_000;
  private static final Charset UTF8 = StandardCharsets.UTF_8;

  private final long clusterId;
  private final long self;
  private final String selfAddress;
  private final StoreRuntime runtime;
  private final Store store;
  private final AddressBook book;
  private final PeerClients peers;
  private final List<String> seeds;
  private final Duration rpcTimeout;
  private final Duration pingTimeout;
  private final Consumer<String> log;
  private final AtomicBoolean registered = new AtomicBoolean();
  private final AtomicBoolean registering = new AtomicBoolean();

  Membership(long clusterId, long self, String selfAddress, StoreRuntime runtime, Store store,
      AddressBook book, PeerClients peers, List<String> seeds, Duration rpcTimeout,
      Duration pingTimeout, Consumer<String> log) {
    this.pingTimeout = pingTimeout;
    this.clusterId = clusterId;
    this.self = self;
    this.selfAddress = selfAddress;
    this.runtime = runtime;
    this.store = store;
    this.book = book;
    this.peers = peers;
    this.seeds = List.copyOf(seeds);
    this.rpcTimeout = rpcTimeout;
    this.log = log;
  }

  long clusterId() {
    return clusterId;
  }

  // ------------------------------------------------------------------ the system range

  private Optional<RangeInfo> systemRange() {
    for (RangeInfo ri : runtime.ranges()) {
      if (ri.descriptor().rangeId() == SystemKeys.SYSTEM_RANGE_ID) {
        return Optional.of(ri);
      }
    }
    return Optional.empty();
  }

  private boolean leadsSystemRange() {
    return systemRange().map(ri -> ri.leader() == self).orElse(false);
  }

  /** The address of the system range's leader, if this node knows it and it is another node. */
  private Optional<String> systemLeaderAddress() {
    return systemRange().map(RangeInfo::leader).filter(l -> l != 0 && l != self)
        .flatMap(book::address);
  }

  // ------------------------------------------------------------------ registry writes (leader)

  /** Writes the first node's entry and the id counter: the registry of a new cluster. */
  CompletableFuture<Void> bootstrapRegistry() {
    // Only if absent: a bootstrap finished after a crash must not take the counter back.
    CommandPb counter = CommandPb.newBuilder().setCas(CasPb.newBuilder()
        .setKey(ByteString.copyFrom(SystemKeys.NODE_ID_COUNTER)).setExpectAbsent(true)
        .setValue(ByteString.copyFrom(SystemKeys.encodeLong(self)))).build();
    CommandPb entry = CommandPb.newBuilder()
        .addPuts(put(SystemKeys.nodeKey(self), selfAddress.getBytes(UTF8))).build();
    return propose(SystemKeys.NODE_ID_COUNTER, counter)
        .thenCompose(r -> propose(SystemKeys.nodeKey(self), entry))
        .thenRun(() -> registered.set(true));
  }

  private static PutPb put(byte[] key, byte[] value) {
    return PutPb.newBuilder().setKey(ByteString.copyFrom(key))
        .setValue(ByteString.copyFrom(value)).build();
  }

  private CompletableFuture<ApplyResult> propose(byte[] routingKey, CommandPb cmd) {
    return runtime.propose(SystemKeys.SYSTEM_RANGE_ID, routingKey, cmd)
        .orTimeout(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(r -> {
          if (r.error() != null) {
            throw r.error();
          }
          return r;
        });
  }

  private CompletableFuture<Void> writeAddress(long id, String address) {
    CommandPb cmd = CommandPb.newBuilder().addPuts(put(SystemKeys.nodeKey(id),
        address.getBytes(UTF8))).build();
    return propose(SystemKeys.nodeKey(id), cmd).thenRun(() -> book.learn(id, address));
  }

  /** The next node id: read the counter, then advance it by compare-and-set. */
  private CompletableFuture<Long> allocateNodeId() {
    return runtime.get(SystemKeys.SYSTEM_RANGE_ID, SystemKeys.NODE_ID_COUNTER)
        .orTimeout(rpcTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(current -> advanceCounter(current, MAX_CAS_ATTEMPTS));
  }

  private CompletableFuture<Long> advanceCounter(byte[] current, int attemptsLeft) {
    if (attemptsLeft == 0) {
      return CompletableFuture.failedFuture(new IllegalStateException("the node id counter"
          + " kept changing under " + MAX_CAS_ATTEMPTS + " compare-and-set attempts"));
    }
    if (current == null) {
      // Node 1 serves joins while it still writes the registry of the cluster it bootstraps
      // (or finishes that after a crash): an id handed out now would be handed out again.
      return CompletableFuture.failedFuture(new IllegalStateException("the cluster is still"
          + " being bootstrapped (no node id counter yet); retry"));
    }
    long next = SystemKeys.decodeLong(current) + 1;
    CasPb.Builder cas = CasPb.newBuilder().setKey(ByteString.copyFrom(SystemKeys.NODE_ID_COUNTER))
        .setValue(ByteString.copyFrom(SystemKeys.encodeLong(next)))
        .setExpected(ByteString.copyFrom(current));
    return propose(SystemKeys.NODE_ID_COUNTER, CommandPb.newBuilder().setCas(cas).build())
        .thenCompose(r -> r.ok() ? CompletableFuture.completedFuture(next)
            : advanceCounter(r.current(), attemptsLeft - 1));
  }

  // ------------------------------------------------------------------ join and register

  /** Admits a new node: allocates its id and registers its address (forwarding once if needed). */
  CompletableFuture<JoinResponse> join(String address, boolean forwarded) {
    if (address.isBlank()) {
      return CompletableFuture.completedFuture(JoinResponse.newBuilder()
          .setError(error(KvError.Code.INVALID, "a joining node must give its address")).build());
    }
    if (leadsSystemRange()) {
      return allocateNodeId().thenCompose(id -> writeAddress(id, address).thenApply(v -> {
        log.accept("membership: admitted node " + id + " at " + address);
        return JoinResponse.newBuilder().setClusterId(clusterId).setNodeId(id)
            .addAllNodes(book.toProto()).build();
      })).exceptionally(e -> JoinResponse.newBuilder()
          .setError(error(KvError.Code.UNAVAILABLE, "join failed: " + cause(e))).build());
    }
    Optional<String> leader = systemLeaderAddress();
    if (forwarded || leader.isEmpty()) {
      return CompletableFuture.completedFuture(JoinResponse.newBuilder().setError(
          notLeader()).build());
    }
    return PeerClients.<JoinResponse>call(o -> peers.admin(leader.get(), rpcTimeout).join(
            AdminJoinRequest.newBuilder().setAddress(address).setForwarded(true).build(), o))
        .exceptionally(e -> JoinResponse.newBuilder().setError(error(KvError.Code.UNAVAILABLE,
            "forwarding the join to " + leader.get() + " failed: " + cause(e))).build());
  }

  /** Records node {@code id}'s address (forwarding once to the system range's leader). */
  CompletableFuture<RegisterResponse> register(RegisterRequest req) {
    if (req.getClusterId() != clusterId) {
      return CompletableFuture.completedFuture(RegisterResponse.newBuilder().setError(
          error(KvError.Code.INVALID, "node " + req.getNodeId() + " belongs to cluster "
              + hex(req.getClusterId()) + ", this is cluster " + hex(clusterId))).build());
    }
    if (req.getNodeId() == 0 || req.getAddress().isBlank()) {
      return CompletableFuture.completedFuture(RegisterResponse.newBuilder().setError(
          error(KvError.Code.INVALID, "registration needs a node id and an address")).build());
    }
    if (leadsSystemRange()) {
      return writeAddress(req.getNodeId(), req.getAddress())
          .thenApply(v -> RegisterResponse.getDefaultInstance())
          .exceptionally(e -> RegisterResponse.newBuilder().setError(
              error(KvError.Code.UNAVAILABLE, "registration failed: " + cause(e))).build());
    }
    Optional<String> leader = systemLeaderAddress();
    if (req.getForwarded() || leader.isEmpty()) {
      return CompletableFuture.completedFuture(RegisterResponse.newBuilder().setError(
          notLeader()).build());
    }
    return PeerClients.<RegisterResponse>call(o -> peers.admin(leader.get(), rpcTimeout)
            .register(req.toBuilder().setForwarded(true).build(), o))
        .exceptionally(e -> RegisterResponse.newBuilder().setError(error(
            KvError.Code.UNAVAILABLE, "forwarding to " + leader.get() + " failed: " + cause(e)))
            .build());
  }

  private KvError notLeader() {
    long leader = systemRange().map(RangeInfo::leader).orElse(0L);
    return KvError.newBuilder().setCode(KvError.Code.NOT_LEADER).setLeaderHint(leader)
        .setMessage("node " + self + " does not lead the system range"
            + (leader == 0 ? " and knows no leader; retry" : "; its leader is node " + leader))
        .build();
  }

  /**
   * Makes sure the registry holds this node's current address, once per process: a restarted
   * node may listen somewhere new. Retried by every maintenance round until it succeeds.
   */
  void ensureRegistered() {
    if (registered.get() || !registering.compareAndSet(false, true)) {
      return;
    }
    RegisterRequest req = RegisterRequest.newBuilder().setClusterId(clusterId).setNodeId(self)
        .setAddress(selfAddress).build();
    CompletableFuture<RegisterResponse> attempt;
    if (leadsSystemRange() || systemLeaderAddress().isPresent()) {
      attempt = register(req);
    } else {
      // This node does not know the system range's leader, typically because the leader cannot
      // reach it at its new address yet: any node that knows the leader forwards the call.
      List<String> others = book.snapshot().entrySet().stream().filter(e -> e.getKey() != self)
          .map(Map.Entry::getValue).toList();
      attempt = registerThroughAny(req, others, 0);
    }
    attempt.whenComplete((r, e) -> {
          registering.set(false);
          if (e == null && !r.hasError()) {
            registered.set(true);
            log.accept("membership: registered node " + self + " at " + selfAddress);
          }
        });
  }

  private CompletableFuture<RegisterResponse> registerThroughAny(RegisterRequest req,
      List<String> addresses, int next) {
    if (next >= addresses.size()) {
      return CompletableFuture.completedFuture(RegisterResponse.newBuilder().setError(
          notLeader()).build());
    }
    return PeerClients.<RegisterResponse>call(o -> peers.admin(addresses.get(next), rpcTimeout)
            .register(req, o))
        .exceptionally(e -> RegisterResponse.newBuilder().setError(error(
            KvError.Code.UNAVAILABLE, cause(e))).build())
        .thenCompose(r -> r.hasError() ? registerThroughAny(req, addresses, next + 1)
            : CompletableFuture.completedFuture(r));
  }

  /** Marks this node's address as registered (by a join that just did it). */
  void markRegistered() {
    registered.set(true);
  }

  boolean isRegistered() {
    return registered.get();
  }

  // ------------------------------------------------------------------ Kv.Join and Kv.Nodes

  @Override
  public JoinResponse join(JoinRequest request) {
    try {
      // Runs on the node's client-call pool, never on the transport's event loops.
      return join(request.getAddress(), false).get(2 * rpcTimeout.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return JoinResponse.newBuilder().setError(error(KvError.Code.UNAVAILABLE,
          "interrupted")).build();
    } catch (ExecutionException | TimeoutException e) {
      return JoinResponse.newBuilder().setError(error(KvError.Code.UNAVAILABLE,
          "join failed: " + cause(e))).build();
    }
  }

  @Override
  public NodesResponse nodes() {
    return NodesResponse.newBuilder().setClusterId(clusterId).addAllNodes(book.toProto())
        .build();
  }

  PingResponse ping() {
    return PingResponse.newBuilder().setClusterId(clusterId).setNodeId(self)
        .addAllNodes(book.toProto()).build();
  }

  // ------------------------------------------------------------------ keeping the book current

  /**
   * One maintenance round: reads the registry from this node's replica of the system range
   * (possibly a little stale, which is fine for addresses, and available even before the range
   * has a leader, which a whole cluster restarting needs), then pings every known node and the
   * seeds; an answer marks its node live and teaches this node the peer's address book.
   */
  void refresh() {
    boolean holdsRegistry = readLocalRegistry();
    for (Map.Entry<Long, String> e : book.snapshot().entrySet()) {
      if (e.getKey() != self) {
        ping(e.getValue(), e.getKey(), holdsRegistry);
      }
    }
    for (String seed : seeds) {
      if (!book.snapshot().containsValue(seed) && !seed.equals(selfAddress)) {
        ping(seed, 0, holdsRegistry);
      }
    }
  }

  private void ping(String address, long expectedNode, boolean holdsRegistry) {
    PeerClients.<PingResponse>call(o -> peers.admin(address, pingTimeout).ping(
        PingRequest.newBuilder().setFromNode(self).build(), o)).thenAccept(r -> {
          if (r.getClusterId() != clusterId
              || (expectedNode != 0 && r.getNodeId() != expectedNode)) {
            return; // the address now belongs to someone else: not a sign of life
          }
          book.heard(r.getNodeId());
          book.learn(r.getNodeId(), address);
          if (!holdsRegistry) {
            book.learnAll(r.getNodesList());
          }
        });
  }

  /** Loads the registry from the local replica into the book; false if there is none here. */
  boolean readLocalRegistry() {
    if (systemRange().isEmpty()) {
      return false;
    }
    for (Map.Entry<Long, String> e : readLocalRegistry(store).entrySet()) {
      book.learn(e.getKey(), e.getValue());
    }
    return true;
  }

  /** The registry as this store's replica of the system range last applied it. */
  static Map<Long, String> readLocalRegistry(Store store) {
    Map<Long, String> out = new TreeMap<>();
    try (ReadOptions ro = new ReadOptions()) {
      for (KvPair p : new MvccReader(store, ro).scan(SystemKeys.NODE_PREFIX,
          SystemKeys.NODE_PREFIX_END, Long.MAX_VALUE, MAX_NODES, false)) {
        long id = SystemKeys.nodeIdOf(p.key());
        if (id != 0) {
          out.put(id, new String(p.value(), UTF8));
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ helpers

  static KvError error(KvError.Code code, String message) {
    return KvError.newBuilder().setCode(code).setMessage(message).build();
  }

  static String cause(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e instanceof TimeoutException ? "timed out" : String.valueOf(e.getMessage());
  }

  static String hex(long clusterId) {
    return Long.toUnsignedString(clusterId, 16);
  }

  static NodeInfoPb nodeInfo(long id, String address) {
    return NodeInfoPb.newBuilder().setNodeId(id).setAddress(address).build();
  }
}
