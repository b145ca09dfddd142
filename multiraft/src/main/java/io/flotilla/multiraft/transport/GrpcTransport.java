package io.flotilla.multiraft.transport;

import io.flotilla.kv.snapshot.SnapshotOptions;
import io.flotilla.raft.Message;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transport over gRPC: one {@code Batches} client stream per destination node carries all
 * of this node's Raft traffic to it, one batch per flush with every range's heartbeats coalesced
 * into compact entries; snapshots stream separately (same connection) under a per-node rate.
 *
 * <p>Threads, all daemon and fixed in number whatever the count of peers and ranges:
 * <ul>
 *   <li>{@code flotilla-transport-boss-<node>}: 1 Netty thread accepting connections;
 *   <li>{@code flotilla-transport-io-<node>}: {@link TransportOptions#ioThreads} (default 2)
 *       Netty event loops carrying every connection, inbound and outbound; gRPC callbacks run
 *       on them directly, including the handler's {@code onMessages};
 *   <li>{@code flotilla-transport-timer-<node>}: 1 thread that reconnects, pings and judges
 *       liveness; the handler's {@code onPeerDown}/{@code onPeerUp} run on it;
 *   <li>{@code flotilla-snapshot-send-<node>}: {@link TransportOptions#snapshotSendThreads}
 *       (default 2) threads exporting and streaming snapshots, with a queue of 16 more;
 *       {@code SnapshotOutcome} is told on them;
 *   <li>{@code flotilla-snapshot-recv-<node>}: 1 thread staging received chunks; the handler's
 *       {@code onSnapshot} runs on it.
 * </ul>
 * gRPC itself keeps its JVM-wide shared timer thread ({@code grpc-timer}), and creates its
 * shared {@code grpc-default-executor} only for blocking work this transport does not ask for
 * (name resolution: addresses are resolved by {@link NodeResolver#parse}).
 * {@code onUnreachable} is called on the thread that calls {@link #send}.
 */
public final class GrpcTransport implements Transport {
  private static final int SNAPSHOT_QUEUE = 16;

  private final long nodeId;
  private final long clusterId;
  private final String listenAddress;
  private final NodeResolver resolver;
  private final IncomingSnapshots incoming;
  private final TransportOptions options;
  private final SplittableRandom random;
  private final Counters counters = new Counters();
  private final ConcurrentHashMap<Long, Peer> peers = new ConcurrentHashMap<>();
  private final AtomicLong snapshotIds;
  private volatile Handler handler;
  private volatile boolean closed;
  private PeerContext ctx;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private ScheduledExecutorService timer;
  private ThreadPoolExecutor snapshotSenders;
  private RateLimiter snapshotLimiter;
  private SnapshotInbox inbox;
  private Server server;
  /** Services served on this port besides RaftTransport, by gRPC service name (before start). */
  private final Map<String, Executor> extraExecutors = new ConcurrentHashMap<>();
  private final Set<String> onEventLoops = ConcurrentHashMap.newKeySet();
  private final List<BindableService> extraServices = new ArrayList<>();

  /**
   * @param nodeId this node; every message sent must be from it
   * @param clusterId refused by peers of other clusters, and the other way round
   * @param listenAddress {@code host:port} to serve on; port 0 picks a free one ({@link #port})
   * @param resolver where the other nodes listen, asked again at every reconnect
   * @param incoming where received snapshots are staged, e.g. {@code new
   *     RangeSnapshotReceiver(store)::begin}, or {@link IncomingSnapshots#REFUSE}
   */
  public GrpcTransport(long nodeId, long clusterId, String listenAddress, NodeResolver resolver,
      IncomingSnapshots incoming, TransportOptions options) {
    this(nodeId, clusterId, listenAddress, resolver, incoming, options, new SplittableRandom());
  }

  /** With the randomness (reconnect jitter, snapshot ids) injected, for reproducible tests. */
  public GrpcTransport(long nodeId, long clusterId, String listenAddress, NodeResolver resolver,
      IncomingSnapshots incoming, TransportOptions options, SplittableRandom random) {
    if (nodeId == 0 || clusterId == 0) {
      throw new IllegalArgumentException("node id and cluster id must not be 0");
    }
    NodeResolver.parse(listenAddress); // fail now, naming the address, not at start
    this.nodeId = nodeId;
    this.clusterId = clusterId;
    this.listenAddress = listenAddress;
    this.resolver = resolver;
    this.incoming = incoming;
    this.options = options;
    this.random = random;
    this.snapshotIds = new AtomicLong(random.nextLong());
  }

  @Override
  public synchronized void start(Handler h) {
    if (handler != null || closed) {
      throw new IllegalStateException("transport of node " + nodeId + " was already started");
    }
    boss = new NioEventLoopGroup(1, new DefaultThreadFactory("flotilla-transport-boss-" + nodeId,
        true));
    workers = new NioEventLoopGroup(options.ioThreads(),
        new DefaultThreadFactory("flotilla-transport-io-" + nodeId, true));
    timer = Executors.newSingleThreadScheduledExecutor(
        Threads.named("flotilla-transport-timer-" + nodeId));
    snapshotSenders = new ThreadPoolExecutor(options.snapshotSendThreads(),
        options.snapshotSendThreads(), 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(SNAPSHOT_QUEUE),
        Threads.named("flotilla-snapshot-send-" + nodeId));
    snapshotLimiter = RateLimiter.system(options.snapshotBytesPerSecond());
    ctx = new PeerContext(nodeId, clusterId, options, resolver, workers, timer, counters, h);
    inbox = new SnapshotInbox(nodeId, clusterId, incoming, h, counters);
    // Batches up to maxBatchBytes, snapshot chunks up to the largest a receiver stages.
    int maxInbound = Math.max(options.maxBatchBytes(), SnapshotOptions.MAX_CHUNK_BYTES)
        + (64 << 10);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(NodeResolver.parse(listenAddress))
        .bossEventLoopGroup(boss).workerEventLoopGroup(workers)
        .channelType(NioServerSocketChannel.class)
        .directExecutor()
        .maxInboundMessageSize(maxInbound)
        .addService(new TransportService(nodeId, clusterId, h, counters, inbox));
    for (BindableService s : extraServices) {
      builder.addService(s);
    }
    // RaftTransport runs on the event loops (null: the server's direct executor); other
    // services run on their own executors, so their handlers can never stall Raft traffic.
    builder.callExecutor(new io.grpc.ServerCallExecutorSupplier() {
      @Override
      public <Q, R> java.util.concurrent.Executor getExecutor(io.grpc.ServerCall<Q, R> call,
          io.grpc.Metadata headers) {
        String method = call.getMethodDescriptor().getFullMethodName();
        return onEventLoops.contains(method) ? null
            : extraExecutors.get(call.getMethodDescriptor().getServiceName());
      }
    });
    server = builder.build();
    try {
      server.start();
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("node " + nodeId + " cannot listen on " + listenAddress, e);
    }
    long tick = options.pingInterval().toNanos();
    timer.scheduleWithFixedDelay(() -> peers.values().forEach(Peer::tick), tick, tick,
        TimeUnit.NANOSECONDS);
    handler = h;
  }

  /**
   * Serves {@code service} on this transport's port too (one port per node), its calls run on
   * {@code executor} rather than on the event loops. Call before {@link #start}.
   */
  public synchronized void addService(BindableService service, Executor executor) {
    if (handler != null || closed) {
      throw new IllegalStateException("transport of node " + nodeId + ": add services before"
          + " start");
    }
    extraServices.add(service);
    extraExecutors.put(service.bindService().getServiceDescriptor().getName(), executor);
  }

  /**
   * Like {@link #addService(BindableService, Executor)}, but the methods named in
   * {@code nonBlocking} (full names, {@code service/Method}) run on the event loops: a handler
   * that only hands work on saves a thread switch per message.
   */
  public synchronized void addService(BindableService service, Executor executor,
      Set<String> nonBlocking) {
    addService(service, executor);
    onEventLoops.addAll(nonBlocking);
  }

  /** The port this transport listens on (the one picked, if port 0 was asked for). */
  public int port() {
    Server s = server;
    if (s == null) {
      throw new IllegalStateException("transport of node " + nodeId + " is not started");
    }
    return s.getPort();
  }

  public long nodeId() {
    return nodeId;
  }

  public TransportStats stats() {
    return counters.snapshot();
  }

  @Override
  public void send(Envelope e) {
    Handler h = started();
    if (e.message().from() != nodeId) {
      // Coalesced heartbeats carry no sender: the batch's node is it. Refuse what would lie.
      throw new IllegalArgumentException("node " + nodeId + " cannot send a message from node "
          + e.message().from() + ": " + e.message());
    }
    if (closed) {
      counters.droppedClosed.increment();
      return;
    }
    MessageCodec.Outgoing o = MessageCodec.encode(e);
    if (o.wireBytes() + MessageCodec.BATCH_OVERHEAD > options.maxBatchBytes()) {
      counters.droppedTooLarge.increment();
      h.onUnreachable(e);
      return;
    }
    if (!peer(e.message().to()).offer(o)) {
      counters.droppedQueueFull.increment();
      h.onUnreachable(e);
    }
  }

  @Override
  public void flush() {
    started();
    for (Peer p : peers.values()) {
      p.flush();
    }
  }

  @Override
  public void sendSnapshot(Envelope installSnapshot, SnapshotSource source,
      SnapshotOutcome done) {
    started();
    Message m = installSnapshot.message();
    if (!(m instanceof Message.InstallSnapshot) || m.from() != nodeId) {
      throw new IllegalArgumentException("node " + nodeId + " can only stream its own"
          + " InstallSnapshot messages, not " + m);
    }
    SnapshotSender task = new SnapshotSender(ctx, peer(m.to()), snapshotLimiter,
        installSnapshot, source, done, snapshotIds.incrementAndGet());
    try {
      snapshotSenders.execute(task);
    } catch (RejectedExecutionException e) {
      task.abort(); // busy (or closed): Raft retries the snapshot later
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (timer != null) {
      timer.shutdownNow();
    }
    List<ManagedChannel> channels = new ArrayList<>();
    for (Peer p : peers.values()) {
      ManagedChannel ch = p.close();
      if (ch != null) {
        channels.add(ch);
      }
    }
    if (snapshotSenders != null) {
      for (Runnable r : snapshotSenders.shutdownNow()) {
        ((SnapshotSender) r).abort();
      }
    }
    if (server != null) {
      server.shutdownNow();
    }
    try {
      for (ManagedChannel ch : channels) {
        ch.awaitTermination(2, TimeUnit.SECONDS);
      }
      if (server != null) {
        server.awaitTermination(2, TimeUnit.SECONDS);
      }
      if (snapshotSenders != null) {
        snapshotSenders.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (inbox != null) {
      inbox.close();
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  private Handler started() {
    Handler h = handler;
    if (h == null) {
      throw new IllegalStateException("transport of node " + nodeId + " is not started");
    }
    return h;
  }

  private Peer peer(long node) {
    return peers.computeIfAbsent(node, n -> {
      SplittableRandom r;
      synchronized (random) {
        r = random.split();
      }
      return new Peer(n, ctx, r);
    });
  }

  @Override
  public String toString() {
    return "GrpcTransport(node " + nodeId + ", cluster " + Long.toUnsignedString(clusterId, 16)
        + ", " + listenAddress + ")";
  }
}
