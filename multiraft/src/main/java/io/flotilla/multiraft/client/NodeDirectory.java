package io.flotilla.multiraft.client;

import io.flotilla.multiraft.proto.KvGrpc;
import io.flotilla.multiraft.proto.NodeInfoPb;
import io.flotilla.multiraft.proto.NodesRequest;
import io.flotilla.multiraft.proto.NodesResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The client's address book (node id to address, learned from {@code Nodes}) and one gRPC
 * channel per address, opened on first use and closed with the client.
 */
final class NodeDirectory implements AutoCloseable {
  /** Refresh the address book at most this often: an unknown id may just be a dead node's. */
  private static final long MIN_REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /**
   * Above gRPC's 4 MiB default: a value may be 8 MiB (the store's limit) and a scan page 4 MiB.
   * A response refused for size after a write ran would make that write ambiguous.
   */
  static final int MAX_RESPONSE_BYTES = 32 << 20;

  private final List<String> seeds;
  private final Map<Long, String> addresses = new ConcurrentHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, Multiplexer> multiplexers = new ConcurrentHashMap<>();
  private volatile long lastRefreshNanos = System.nanoTime() - MIN_REFRESH_NANOS;
  private volatile boolean closed;

  NodeDirectory(List<String> seeds) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("a KV client needs at least one seed address");
    }
    for (String s : seeds) {
      parse(s);
    }
    this.seeds = List.copyOf(seeds);
  }

  /** The address of a node, or null if the address book does not know it. */
  String address(long nodeId) {
    return addresses.get(nodeId);
  }

  /** Every address worth asking a cluster-wide question: the seeds, then the known nodes. */
  List<String> anyNodes() {
    Set<String> all = new LinkedHashSet<>(seeds);
    all.addAll(addresses.values());
    return new ArrayList<>(all);
  }

  /**
   * Refreshes the address book from the first node that answers {@code Nodes}, unless it was
   * refreshed moments ago. Returns whether it learned anything this time.
   */
  boolean refresh(long deadlineMillis) {
    long now = System.nanoTime();
    if (now - lastRefreshNanos < MIN_REFRESH_NANOS) {
      return false;
    }
    lastRefreshNanos = now;
    for (String addr : anyNodes()) {
      long remaining = deadlineMillis - System.currentTimeMillis();
      if (remaining <= 0) {
        return false;
      }
      try {
        NodesResponse resp = stub(addr).withDeadlineAfter(Math.min(remaining, 2000),
            TimeUnit.MILLISECONDS).nodes(NodesRequest.getDefaultInstance());
        if (resp.hasError() || resp.getNodesCount() == 0) {
          continue;
        }
        for (NodeInfoPb n : resp.getNodesList()) {
          addresses.put(n.getNodeId(), n.getAddress());
        }
        return true;
      } catch (StatusRuntimeException e) {
        // This node is down or unreachable: ask the next.
      }
    }
    return false;
  }

  KvGrpc.KvBlockingStub stub(String address) {
    if (closed) {
      throw new IllegalStateException("the KV client is closed");
    }
    return KvGrpc.newBlockingStub(channels.computeIfAbsent(address, NodeDirectory::open));
  }

  Multiplexer multiplexer(String address) {
    if (closed) {
      throw new IllegalStateException("the KV client is closed");
    }
    return multiplexers.computeIfAbsent(address, a -> new Multiplexer(
        channels.computeIfAbsent(a, NodeDirectory::open)));
  }

  private static ManagedChannel open(String address) {
    HostPort hp = parse(address);
    // Answers only complete futures (blocking calls wait on their own thread): run them on the
    // event loop rather than hopping to an executor per answer.
    return Grpc.newChannelBuilderForAddress(hp.host(), hp.port(),
        InsecureChannelCredentials.create()).maxInboundMessageSize(MAX_RESPONSE_BYTES)
        .directExecutor().build();
  }

  record HostPort(String host, int port) {}

  /** Parses {@code host:port} (an IPv6 host in brackets), or names what is wrong with it. */
  static HostPort parse(String address) {
    int colon = address.lastIndexOf(':');
    String host = colon < 0 ? "" : address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = -1;
    try {
      port = colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      // Reported below.
    }
    if (host.isBlank() || port < 1 || port > 65535) {
      throw new IllegalArgumentException("bad node address '" + address
          + "': expected HOST:PORT with a port from 1 to 65535");
    }
    return new HostPort(host, port);
  }

  @Override
  public void close() {
    closed = true;
    multiplexers.values().forEach(Multiplexer::close);
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels.values()) {
      try {
        c.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
