package io.flotilla.multiraft.transport;

import io.flotilla.multiraft.proto.BatchAck;
import io.flotilla.multiraft.proto.MessageBatch;
import io.flotilla.multiraft.proto.RaftTransportGrpc;
import io.flotilla.multiraft.transport.MessageCodec.Outgoing;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One destination node: its bounded queue, its gRPC channel and the one {@code Batches} stream
 * that carries everything this node sends it, reconnected with backoff, and its liveness.
 *
 * <p>Flow control: envelopes leave the queue only while the stream {@code isReady()}, so gRPC
 * buffers at most one batch beyond its on-ready threshold; the rest waits in the bounded queue
 * and drains from the stream's on-ready callback. Liveness: the stream carries a ping every
 * quarter of the liveness timeout (one at a time, ready or not), which the peer answers once it
 * has read everything before it; a peer unheard for the timeout is reported down (once) and its
 * connection is rebuilt, so that a peer that vanished without closing TCP, or moved to a new
 * address, is reconnected rather than waited for.
 *
 * <p>Threads: {@link #offer} and {@link #flush} run on the runtime's thread, stream callbacks on
 * the Netty event loops, {@link #tick} and connecting on the timer; the monitor guards all
 * state but the {@link PeerLiveness}, whose verdicts reach the handler on the timer thread,
 * outside the monitor.
 */
final class Peer {
  private static final System.Logger LOG = System.getLogger(Peer.class.getName());
  /** Acks and snapshot answers are tiny; anything bigger from a peer is a bug or an attack. */
  private static final int MAX_INBOUND_BYTES = 64 << 10;

  final long node;
  private final PeerContext ctx;
  private final PeerQueue queue;
  private final Backoff backoff;
  private final long timeoutNanos;
  private final PeerLiveness liveness;
  private final MessageBatch ping;
  private ManagedChannel channel;
  private InetSocketAddress channelAddress;
  private Stream stream;
  private long streamOpenedNanos;
  private boolean connectScheduled;
  private boolean pingDue;
  private boolean pingInFlight;
  private boolean refusalLogged;
  private boolean closed;

  Peer(long node, PeerContext ctx, SplittableRandom random) {
    this.node = node;
    this.ctx = ctx;
    TransportOptions o = ctx.options();
    this.queue = new PeerQueue(o.maxQueueMessages(), o.maxQueueBytes(), ctx.counters());
    this.backoff = new Backoff(o.reconnectBackoffMin().toNanos(),
        o.reconnectBackoffMax().toNanos(), random);
    this.timeoutNanos = o.livenessTimeout().toNanos();
    this.liveness = new PeerLiveness(node, timeoutNanos, ctx.handler());
    this.ping = MessageBatch.newBuilder().setClusterId(ctx.clusterId())
        .setFromNode(ctx.nodeId()).setToNode(node).setPing(true).build();
  }

  /** Queues an envelope; false if the queue is full (or the transport closed). */
  synchronized boolean offer(Outgoing o) {
    return !closed && queue.offer(o);
  }

  /** Sends what was queued as batches while the stream takes them; connects if need be. */
  synchronized void flush() {
    if (queue.isEmpty()) {
      return;
    }
    queue.markFlushable();
    if (stream != null) {
      drain();
    } else {
      scheduleConnect(0);
    }
  }

  /** Called on the timer every quarter of the liveness timeout. */
  void tick() {
    long now = System.nanoTime();
    synchronized (this) {
      if (closed) {
        return;
      }
      if (stream == null) {
        scheduleConnect(0);
      } else if (liveness.silentSince(streamOpenedNanos, now)) {
        // Silent for the whole timeout although the stream looks open: the peer may be gone
        // without a TCP reset, or live at a new address. Rebuild from the address up.
        LOG.log(Level.DEBUG, () -> "no answer from node " + node + " in "
            + timeoutNanos / 1_000_000 + " ms; reconnecting");
        dropConnection();
        retryLater();
      } else {
        pingDue = true;
        drain();
      }
    }
    liveness.judge();
  }

  /** The channel to this peer, built (or rebuilt for a new address) if need be. */
  synchronized ManagedChannel channel() {
    if (closed) {
      throw new IllegalStateException("transport is closed");
    }
    String text = ctx.resolver().address(node).orElseThrow(
        () -> new IllegalStateException("address of node " + node + " is not known yet"));
    InetSocketAddress address = NodeResolver.parse(text);
    if (address.isUnresolved()) {
      throw new IllegalStateException("address " + text + " of node " + node
          + " does not resolve");
    }
    if (channel != null && address.equals(channelAddress)) {
      return channel;
    }
    if (channel != null) {
      channel.shutdownNow();
    }
    channel = NettyChannelBuilder.forAddress(address)
        .eventLoopGroup(ctx.eventLoops()).channelType(NioSocketChannel.class)
        .usePlaintext()
        .directExecutor() // callbacks are short and non-blocking: run them on the event loop
        .disableRetry() // retries would buffer sent batches beyond our flow control
        .maxInboundMessageSize(MAX_INBOUND_BYTES)
        .build();
    channelAddress = address;
    return channel;
  }

  /** Stops everything; returns the channel to await, if any. */
  synchronized ManagedChannel close() {
    closed = true;
    ctx.counters().droppedClosed.add(queue.clear());
    ManagedChannel ch = channel;
    dropConnection();
    return ch;
  }

  private void scheduleConnect(long delayNanos) {
    if (connectScheduled || closed) {
      return;
    }
    try {
      ctx.timer().schedule(this::connect, delayNanos, TimeUnit.NANOSECONDS);
      connectScheduled = true;
    } catch (RejectedExecutionException e) {
      // The transport is closing.
    }
  }

  /** After a failure: try again after the next backoff delay. */
  private void retryLater() {
    ctx.counters().reconnects.increment();
    scheduleConnect(backoff.nextNanos());
  }

  private synchronized void connect() {
    connectScheduled = false;
    if (closed || stream != null) {
      return;
    }
    ManagedChannel ch;
    try {
      ch = channel();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, () -> "cannot connect to node " + node + ": " + e.getMessage());
      retryLater();
      return;
    }
    Stream s = new Stream();
    stream = s;
    streamOpenedNanos = System.nanoTime();
    pingDue = true; // an early answer tells quickly that the peer is (back) up
    pingInFlight = false;
    ch.resetConnectBackoff(); // our backoff paces reconnection, not gRPC's (which grows to 2 min)
    RaftTransportGrpc.newStub(ch).batches(s);
    if (stream == s) {
      drain(); // the ping, buffered by gRPC until the connection is up
    }
  }

  private void drain() {
    Stream s = stream;
    if (s.call == null) {
      return;
    }
    if (pingDue && !pingInFlight) {
      // Past isReady on purpose: a link busy with batches must still prove it is alive, and
      // one ping in flight at a time is a bound of a few bytes.
      pingDue = false;
      pingInFlight = true;
      s.call.onNext(ping);
      ctx.counters().pingsSent.increment();
    }
    while (queue.hasFlushable() && s.call.isReady()) {
      MessageBatch b = queue.nextBatch(ctx.clusterId(), ctx.nodeId(), node,
          ctx.options().maxBatchBytes());
      s.call.onNext(b);
      count(b);
    }
  }

  private void count(MessageBatch b) {
    Counters c = ctx.counters();
    int heartbeats = b.getHeartbeatsCount() + b.getHeartbeatResponsesCount();
    c.batchesSent.increment();
    c.messagesSent.add(b.getMessagesCount() + heartbeats);
    c.heartbeatsSent.add(heartbeats);
    if (heartbeats > 0) {
      c.heartbeatBatchesSent.increment();
    }
    c.bytesSent.add(b.getSerializedSize());
  }

  private void dropConnection() {
    Stream s = stream;
    stream = null; // first: a cancel may call back into onClosed, which must then ignore it
    if (s != null && s.call != null) {
      s.call.cancel("connection reset by the transport", null);
    }
    if (channel != null) {
      channel.shutdownNow();
      channel = null;
      channelAddress = null;
    }
  }

  private synchronized void onReady(Stream s) {
    if (stream == s) {
      drain();
    }
  }

  private void onAck(Stream s, BatchAck ack) {
    if (!ack.getError().isEmpty()) {
      ctx.counters().refusedByPeers.increment();
      synchronized (this) {
        if (!refusalLogged) { // once per streak of refusals, not once per reconnect
          refusalLogged = true;
          LOG.log(Level.ERROR, "node " + node + " refuses our messages: " + ack.getError());
        }
      }
      return; // the peer closes the stream; onClosed follows
    }
    boolean changes = liveness.heard();
    synchronized (this) {
      if (stream == s) {
        pingInFlight = false;
      }
      backoff.reset();
      refusalLogged = false;
    }
    if (changes) {
      try {
        ctx.timer().execute(liveness::judge);
      } catch (RejectedExecutionException e) {
        // The transport is closing.
      }
    }
  }

  private synchronized void onClosed(Stream s, Throwable error) {
    if (stream != s) {
      return;
    }
    stream = null;
    if (closed) {
      return;
    }
    LOG.log(Level.DEBUG, () -> "stream to node " + node + " closed: "
        + (error == null ? "by the peer" : error.getMessage()));
    retryLater();
  }

  /** One attempt at the {@code Batches} stream; callbacks of a replaced one are ignored. */
  private final class Stream implements ClientResponseObserver<MessageBatch, BatchAck> {
    private volatile ClientCallStreamObserver<MessageBatch> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<MessageBatch> requestStream) {
      call = requestStream;
      requestStream.setOnReadyHandler(() -> onReady(this));
    }

    @Override
    public void onNext(BatchAck ack) {
      onAck(this, ack);
    }

    @Override
    public void onError(Throwable t) {
      onClosed(this, t);
    }

    @Override
    public void onCompleted() {
      onClosed(this, null);
    }
  }
}
