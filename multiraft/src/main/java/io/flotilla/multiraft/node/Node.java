package io.flotilla.multiraft.node;

import io.flotilla.config.HostPort;
import io.flotilla.kv.Cf;
import io.flotilla.kv.RaftLogStore;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreException;
import io.flotilla.kv.StoreIdentity;
import io.flotilla.kv.StoreOptions;
import io.flotilla.kv.snapshot.RangeSnapshotReceiver;
import io.flotilla.multiraft.kv.KvService;
import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.JoinRequest;
import io.flotilla.multiraft.proto.JoinResponse;
import io.flotilla.multiraft.proto.NodeInfoPb;
import io.flotilla.multiraft.proto.PingRequest;
import io.flotilla.multiraft.proto.PingResponse;
import io.flotilla.multiraft.proto.RangeMetaPb;
import io.flotilla.multiraft.proto.UpdateMetaRequest;
import io.flotilla.multiraft.runtime.RangeDescriptor;
import io.flotilla.multiraft.runtime.RangeException;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.RangeMeta;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.flotilla.multiraft.transport.GrpcTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * One Flotilla node: its store, its store runtime, the gRPC transport and, on the same port,
 * the {@code Kv} and {@code NodeAdmin} services, plus the HTTP metrics endpoint and the
 * maintenance loop (address book, liveness pings, registration, up-replication, replica GC,
 * the merge watchdog).
 *
 * <p>{@link #start} picks one of three ways to come up:
 * <ul>
 *   <li><b>bootstrap</b> (empty store, no seeds): a new cluster with a random id; this node is
 *       node 1 and the only voter of range 1 (system) and range 2 (user keys), and records
 *       itself and the node-id counter in the registry through Raft;
 *   <li><b>join</b> (empty store, seeds): {@code Kv.Join} on a seed allocates a node id and
 *       registers the address; the store is created with that cluster and node id. The ranges'
 *       leaders then add this node as a learner and promote it (see {@link UpReplicator});
 *   <li><b>restart</b> (existing store): the same cluster and node id with the data on disk;
 *       the (possibly new) address is registered again. Seeds of another cluster are refused.
 * </ul>
 *
 * <p>Threads, besides the runtime's and the transport's: {@code flotilla-rpc-<id>} (4, the
 * Kv and NodeAdmin handlers; {@code Kv.Multiplex} only hands requests to the runtime, so it runs
 * on the transport's event loops), {@code kv-responder-<id>} (2, the Kv answers), {@code flotilla-maintenance-<id>} (1) and
 * {@code flotilla-http-<id>} (1, if HTTP is on). {@link #close} stops everything, the store
 * last.
 *
 * <p>Modules above this one add services and background work through {@link NodeExtension}s
 * given to {@link #start(NodeConfig, Consumer, List)}.
 */
public final class Node implements AutoCloseable {
  /** Local (not replicated) marker: this store created the cluster's first ranges. */
  private static final byte[] BOOTSTRAPPED =
      "flotilla/node/bootstrapped".getBytes(StandardCharsets.US_ASCII);
  private static final Duration RPC_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration BOOTSTRAP_TIMEOUT = Duration.ofSeconds(30);
  private static final int RPC_THREADS = 4;

  private final NodeConfig config;
  private final long clusterId;
  private final long nodeId;
  private final String address;
  private final Consumer<String> log;
  private final Store store;
  private final RaftLogStore logs;
  private final GrpcTransport transport;
  private final StoreRuntime runtime;
  private final AddressBook book;
  private final PeerClients peers = new PeerClients();
  private final ExecutorService rpcPool;
  private final Membership membership;
  private final KvService kv;
  private final UpReplicator upReplicator;
  /** Whether an extension (the placement driver) keeps ranges replicated instead. */
  private final boolean replicatedByExtension;
  private final MetaWriter metaWriter;
  private final MetaReconciler metaReconciler;
  private final ReplicaGc replicaGc;
  private final MergeWatchdog mergeWatchdog;
  private final ScheduledExecutorService maintenance;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<AutoCloseable> installed = new java.util.ArrayList<>();
  private volatile MetricsServer http;
  private final List<java.util.function.Supplier<String>> extensionMetrics =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  private Node(NodeConfig config, Store store, String address, Consumer<String> log,
      List<NodeInfoPb> knownNodes, List<NodeExtension> extensions) {
    this.config = config;
    this.store = store;
    this.clusterId = store.identity().clusterId();
    this.nodeId = store.identity().storeId();
    this.address = address;
    this.log = log;
    this.logs = new RaftLogStore(store);
    this.book = new AddressBook(nodeId, address, System::nanoTime);
    book.learnAll(knownNodes);
    // Snapshots are staged by the store's receiver; the runtime recovers interrupted ingests
    // when it starts, before the transport receives anything.
    this.transport = new GrpcTransport(nodeId, clusterId, config.listen().toString(), book,
        new RangeSnapshotReceiver(store)::begin, config.transport());
    this.runtime = new StoreRuntime(nodeId, store, logs, transport, config.runtime(),
        System::currentTimeMillis);
    this.rpcPool = Executors.newFixedThreadPool(RPC_THREADS, daemon("flotilla-rpc-" + nodeId));
    List<String> seeds = config.join().stream().map(HostPort::toString).toList();
    this.membership = new Membership(clusterId, nodeId, address, runtime, store, book, peers,
        seeds, RPC_TIMEOUT, pingTimeout(config), log);
    this.kv = new KvService(runtime, membership, new PeerLookups(nodeId, book, peers,
        RPC_TIMEOUT), KvService.DEFAULT_TIMEOUT);
    this.metaWriter = new MetaWriter(nodeId, runtime, book, peers, RPC_TIMEOUT);
    this.metaReconciler = new MetaReconciler(nodeId, store, this::writeMeta, log);
    AdminService admin = new AdminService(nodeId, address, runtime, membership, metaWriter,
        () -> MetaReconciler.readLocal(store), book, peers, RPC_TIMEOUT,
        () -> config.nodeDeadAfter().toNanos(), rpcPool, config.runtime().tickMillis(), log,
        new StoreStatus(store, nodeId));
    this.replicaGc = new ReplicaGc(nodeId, runtime, () -> MetaReconciler.readLocal(store),
        admin.ops()::getRange, log);
    RangeMerger merger = admin.merger();
    this.mergeWatchdog = new MergeWatchdog(nodeId, merger.abandoner(), merger::merging,
        config.mergeThawAfter(), System::nanoTime, log);
    transport.addService(kv, rpcPool, Set.of(KvGrpc.getMultiplexMethod().getFullMethodName()));
    transport.addService(admin, rpcPool);
    installExtensions(extensions);
    this.replicatedByExtension = extensions.stream()
        .anyMatch(NodeExtension::keepsRangesReplicated);
    this.upReplicator = new UpReplicator(nodeId, config.replicationFactor(),
        runtime::changeMembers, log, System::currentTimeMillis);
    this.maintenance = Executors.newSingleThreadScheduledExecutor(
        daemon("flotilla-maintenance-" + nodeId));
  }

  private void installExtensions(List<NodeExtension> extensions) {
    NodeExtension.Context context = new NodeExtension.Context() {
      @Override
      public long nodeId() {
        return nodeId;
      }

      @Override
      public StoreRuntime runtime() {
        return runtime;
      }

      @Override
      public Map<Long, String> addresses() {
        return book.snapshot();
      }

      @Override
      public Consumer<String> log() {
        return log;
      }

      @Override
      public void addService(io.grpc.BindableService service,
          java.util.concurrent.Executor executor) {
        transport.addService(service, executor);
      }

      @Override
      public void addMetrics(java.util.function.Supplier<String> metrics) {
        extensionMetrics.add(metrics);
      }
    };
    try {
      for (NodeExtension e : extensions) {
        installed.add(e.install(context));
      }
    } catch (RuntimeException e) {
      closeExtensions();
      throw e;
    }
  }

  private void closeExtensions() {
    for (int i = installed.size() - 1; i >= 0; i--) {
      try {
        installed.get(i).close();
      } catch (Exception e) {
        log.accept("closing an extension of node " + nodeId + " failed: " + e);
      }
    }
    installed.clear();
  }

  private static Duration pingTimeout(NodeConfig c) {
    long ms = Math.clamp(2 * c.maintenanceInterval().toMillis(), 200, 5000);
    return Duration.ofMillis(ms);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  // ------------------------------------------------------------------ starting

  /**
   * Starts a node: bootstraps a cluster, joins one, or restarts, as the store directory and the
   * seeds say (see the class comment). Returns once it serves; joining nodes get their
   * replicas in the background.
   *
   * @param log receives one line per event worth telling an operator (joins, replica changes)
   * @throws NodeStartException with a message for people when it cannot start
   */
  public static Node start(NodeConfig config, Consumer<String> log) {
    return start(config, log, List.of());
  }

  /**
   * Like {@link #start(NodeConfig, Consumer)}, with {@code extensions} installed (in order)
   * before the node serves; see {@link NodeExtension}.
   */
  public static Node start(NodeConfig config, Consumer<String> log,
      List<NodeExtension> extensions) {
    NodeConfig cfg = withConcretePorts(config);
    String address = cfg.advertised().toString();
    Path dir = cfg.store();
    if (Files.exists(dir.resolve("CURRENT"))) {
      return restart(cfg, address, log, extensions);
    }
    if (cfg.join().isEmpty()) {
      long clusterId = newClusterId();
      log.accept("bootstrapping a new cluster " + Membership.hex(clusterId) + " as node 1 at "
          + address + ", store " + dir);
      Store store = create(dir, clusterId, 1);
      return launch(cfg, store, address, log, List.of(), true, extensions);
    }
    JoinResponse joined = joinThroughSeeds(cfg, address, log);
    log.accept("joined cluster " + Membership.hex(joined.getClusterId()) + " as node "
        + joined.getNodeId() + " at " + address + ", store " + dir);
    Store store = create(dir, joined.getClusterId(), joined.getNodeId());
    Node n = launch(cfg, store, address, log, joined.getNodesList(), false, extensions);
    n.membership.markRegistered();
    return n;
  }

  private static Node restart(NodeConfig cfg, String address, Consumer<String> log,
      List<NodeExtension> extensions) {
    Store store;
    try {
      store = Store.open(cfg.store(), StoreOptions.DEFAULTS);
    } catch (StoreException e) {
      throw new NodeStartException("cannot open the store: " + e.getMessage(), e);
    }
    StoreIdentity id = store.identity();
    try {
      checkSeedsCluster(cfg, id, log);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    log.accept("restarting node " + id.storeId() + " of cluster " + Membership.hex(
        id.clusterId()) + " at " + address + " with the data in " + cfg.store());
    boolean unfinished = id.storeId() == 1 && store.get(Cf.DEFAULT, BOOTSTRAPPED) == null;
    return launch(cfg, store, address, log, List.of(), unfinished, extensions);
  }

  private static Store create(Path dir, long clusterId, long nodeId) {
    try {
      return Store.create(dir, new StoreIdentity(clusterId, nodeId, Store.FORMAT_VERSION),
          StoreOptions.DEFAULTS);
    } catch (StoreException e) {
      throw new NodeStartException("cannot create the store: " + e.getMessage(), e);
    }
  }

  private static Node launch(NodeConfig cfg, Store store, String address, Consumer<String> log,
      List<NodeInfoPb> known, boolean bootstrap, List<NodeExtension> extensions) {
    Node n;
    try {
      n = new Node(cfg, store, address, log, known, extensions);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    try {
      n.runtime.start();
      if (bootstrap) {
        n.bootstrap();
      }
      if (cfg.http().isPresent()) {
        n.http = new MetricsServer(cfg.http().get(), n.nodeId, n::metricsText);
      }
      long every = cfg.maintenanceInterval().toMillis();
      n.maintenance.scheduleWithFixedDelay(n::maintain, 0, every, TimeUnit.MILLISECONDS);
      return n;
    } catch (RuntimeException e) {
      n.close();
      if (e instanceof UncheckedIOException io) {
        throw new NodeStartException(io.getMessage() + ": " + io.getCause().getMessage(), e);
      }
      throw e;
    }
  }

  /**
   * Creates the first two ranges with this node as their only voter, then records this node
   * and the id counter in the registry. Safe to run again after a crash in the middle: the
   * ranges are created only if the store has none, and the registry writes are idempotent.
   */
  private void bootstrap() {
    for (RangeDescriptor d : SystemKeys.initialRanges(nodeId)) {
      try {
        runtime.createRange(d).get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        // A crash after creating the ranges and before the marker: they are loaded already.
        if (!(e.getCause() instanceof IllegalStateException)) {
          throw new NodeStartException("creating range " + d.rangeId() + " failed: "
              + Membership.cause(e), e);
        }
      } catch (TimeoutException e) {
        throw new NodeStartException("creating range " + d.rangeId() + " timed out", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NodeStartException("interrupted while bootstrapping", e);
      }
    }
    try (WriteBatch b = new WriteBatch()) {
      b.put(store.handle(Cf.DEFAULT), BOOTSTRAPPED, new byte[] {1});
      store.write(b);
    } catch (RocksDBException e) {
      throw store.failure("marking the store bootstrapped", e);
    }
    retry(membership::bootstrapRegistry, "recording node 1 in the registry");
    // Term 0: written before this node knows its terms; its reconciler records them next.
    List<RangeMetaPb> records = Arrays.stream(SystemKeys.initialRanges(nodeId))
        .map(d -> RangeMeta.record(d, nodeId, 0)).toList();
    retry(() -> metaWriter.proposeHere(records), "recording the first ranges' meta records");
  }

  private CompletableFuture<Void> writeMeta(List<RangeMetaPb> records) {
    return metaWriter.update(UpdateMetaRequest.newBuilder().addAllRecords(records).build())
        .thenAccept(r -> {
          if (r.hasError()) {
            throw new IllegalStateException(r.getError().getMessage());
          }
        });
  }

  /** Retries an operation that fails while the range has no leader yet. */
  private <T> T retry(Supplier<CompletableFuture<T>> op, String what) {
    long deadline = System.nanoTime() + BOOTSTRAP_TIMEOUT.toNanos();
    while (true) {
      try {
        return op.get().get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        boolean transientFailure = e instanceof TimeoutException
            || e.getCause() instanceof RangeException.NotLeader
            || e.getCause() instanceof RangeException.ProposalDropped
            || e.getCause() instanceof TimeoutException;
        if (!transientFailure || System.nanoTime() > deadline) {
          throw new NodeStartException(what + " failed: " + Membership.cause(e), e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(config.runtime().tickMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NodeStartException(what + " was interrupted", e);
      }
    }
  }

  /** Calls {@code Kv.Join} on the seeds in turn until one admits this node. */
  private static JoinResponse joinThroughSeeds(NodeConfig cfg, String address,
      Consumer<String> log) {
    long deadline = System.nanoTime() + cfg.joinTimeout().toNanos();
    long backoffMillis = 100;
    String lastError = "";
    try (PeerClients clients = new PeerClients()) {
      while (true) {
        for (HostPort seed : cfg.join()) {
          try {
            JoinResponse r = PeerClients.<JoinResponse>call(o -> clients.kv(seed.toString(),
                    RPC_TIMEOUT.multipliedBy(3))
                .join(JoinRequest.newBuilder().setAddress(address).build(), o))
                .get();
            if (!r.hasError() || r.getError().getCode()
                == io.flotilla.multiraft.proto.KvError.Code.NONE) {
              return r;
            }
            lastError = seed + ": " + r.getError().getMessage();
          } catch (ExecutionException e) {
            lastError = seed + ": " + Membership.cause(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeStartException("interrupted while joining", e);
          }
          log.accept("join: " + lastError + "; trying again");
        }
        if (System.nanoTime() > deadline) {
          throw new NodeStartException("could not join a cluster through " + cfg.join()
              + " within " + cfg.joinTimeout().toSeconds() + "s (cluster.join-timeout); last"
              + " error: " + lastError);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
        backoffMillis = Math.min(2000, backoffMillis * 2);
      }
    }
  }

  /**
   * A restarting node given seeds checks that they are of its own cluster: a store is never
   * served to another one. Seeds that do not answer are no error (the cluster may be restarting
   * all at once).
   */
  private static void checkSeedsCluster(NodeConfig cfg, StoreIdentity id,
      Consumer<String> log) {
    if (cfg.join().isEmpty()) {
      return;
    }
    int answered = 0;
    try (PeerClients clients = new PeerClients()) {
      for (HostPort seed : cfg.join()) {
        try {
          PingResponse r = PeerClients.<PingResponse>call(o -> clients.admin(seed.toString(),
              Duration.ofSeconds(3)).ping(PingRequest.getDefaultInstance(), o)).get();
          if (r.getClusterId() != id.clusterId()) {
            throw new NodeStartException("the store " + cfg.store() + " belongs to cluster "
                + Membership.hex(id.clusterId()) + " (node " + id.storeId() + "), but seed "
                + seed + " is in cluster " + Membership.hex(r.getClusterId()) + ": a store"
                + " cannot join another cluster; start it without --join to restart it, or"
                + " give an empty --store directory to join " + seed + " as a new node");
          }
          answered++;
        } catch (ExecutionException e) {
          log.accept("seed " + seed + " did not answer (" + Membership.cause(e) + ")");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new NodeStartException("interrupted while checking the seeds", e);
        }
      }
    }
    if (answered == 0) {
      log.accept("no seed answered; restarting with the addresses this store knows");
    }
  }

  private static NodeConfig withConcretePorts(NodeConfig c) {
    if (c.listen().port() != 0) {
      return c;
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(c.listen().host()))) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new NodeStartException("cannot find a free port on " + c.listen().host() + ": " + e,
          e);
    }
    HostPort listen = new HostPort(c.listen().host(), port);
    NodeConfig out = c.withListen(listen);
    if (c.advertise().isPresent() && c.advertise().get().port() == 0) {
      out = new NodeConfig(out.store(), listen, Optional.of(new HostPort(
          c.advertise().get().host(), port)), out.join(), out.http(), out.runtime(),
          out.transport(), out.replicationFactor(), out.maintenanceInterval(),
          out.nodeDeadAfter(), out.joinTimeout(), out.mergeThawAfter());
    }
    return out;
  }

  private static long newClusterId() {
    SecureRandom r = new SecureRandom();
    long id;
    do {
      id = r.nextLong();
    } while (id == 0);
    return id;
  }

  // ------------------------------------------------------------------ running

  private void maintain() {
    try {
      membership.refresh();
      membership.ensureRegistered();
      if (!replicatedByExtension) {
        upReplicator.run(runtime.ranges(), liveNodes());
      }
      metaReconciler.run(runtime.ranges());
      replicaGc.run(runtime.ranges());
      mergeWatchdog.run(runtime.ranges());
    } catch (RuntimeException e) {
      if (!closed.get()) {
        log.accept("maintenance round failed: " + e);
      }
    }
  }

  public long nodeId() {
    return nodeId;
  }

  public long clusterId() {
    return clusterId;
  }

  /** Where other nodes and clients reach this node. */
  public String address() {
    return address;
  }

  /** The port of the HTTP endpoint, if it is on. */
  public Optional<Integer> httpPort() {
    MetricsServer h = http;
    return h == null ? Optional.empty() : Optional.of(h.port());
  }

  public Path storeDir() {
    return config.store();
  }

  /** The write-ahead log's counters: batches, fsyncs, entries. */
  public io.flotilla.kv.WalStats walStats() {
    return logs.stats();
  }

  public StoreRuntime runtime() {
    return runtime;
  }

  /** This node and every node that answered a ping within {@code cluster.node-dead-after}. */
  public Set<Long> liveNodes() {
    return book.live(config.nodeDeadAfter().toNanos());
  }

  /** Every node this one knows, with its address. */
  public Map<Long, String> addressBook() {
    return book.snapshot();
  }

  /** This node's ranges as of the runtime's last tick. */
  public List<RangeInfo> ranges() {
    return runtime.ranges();
  }

  /** The meta records (the cluster's range map) in this node's replica of the system range. */
  public List<RangeMetaPb> metaRecords() {
    return MetaReconciler.readLocal(store);
  }

  /** The metrics in the Prometheus text format, as {@code GET /metrics} serves them. */
  public String metricsText() {
    Set<Long> live = liveNodes();
    StringBuilder text = new StringBuilder(Metrics.render(new Metrics.Sample(nodeId, clusterId,
        runtime.stats(), logs.stats(), transport.stats(), runtime.ranges(), live.size(),
        book.snapshot().size())));
    extensionMetrics.forEach(m -> text.append(m.get()));
    return text.toString();
  }

  /** Stops serving and closes everything, the store last. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    maintenance.shutdownNow();
    MetricsServer h = http;
    if (h != null) {
      h.close();
    }
    closeExtensions();
    runtime.close(); // closes the transport: the gRPC server and every Raft stream
    kv.close();
    rpcPool.shutdownNow();
    peers.close();
    try {
      maintenance.awaitTermination(5, TimeUnit.SECONDS);
      rpcPool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }

  @Override
  public String toString() {
    return "node " + nodeId + " of cluster " + Membership.hex(clusterId) + " at " + address;
  }
}
