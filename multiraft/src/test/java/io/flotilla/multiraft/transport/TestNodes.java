package io.flotilla.multiraft.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/** Real gRPC transports on loopback, with a resolver the test can change. */
final class TestNodes implements AutoCloseable {
  static final long CLUSTER = 0xf1075L;
  /**
   * Short timeouts, so that failure tests finish in seconds; not so short that a busy shared
   * machine's pauses look like dead peers.
   */
  static final TransportOptions FAST = TransportOptions.DEFAULTS
      .withLivenessTimeout(Duration.ofSeconds(1))
      .withReconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(200));

  final Map<Long, String> addresses = new ConcurrentHashMap<>();
  private final List<GrpcTransport> all = new ArrayList<>();

  NodeResolver resolver() {
    return id -> Optional.ofNullable(addresses.get(id));
  }

  GrpcTransport start(long node, Transport.Handler handler) {
    return start(node, CLUSTER, FAST, IncomingSnapshots.REFUSE, handler);
  }

  GrpcTransport start(long node, long cluster, TransportOptions options,
      IncomingSnapshots incoming, Transport.Handler handler) {
    GrpcTransport t = new GrpcTransport(node, cluster, "127.0.0.1:0", resolver(), incoming,
        options, new SplittableRandom(node));
    all.add(t);
    t.start(handler);
    addresses.put(node, "127.0.0.1:" + t.port());
    return t;
  }

  @Override
  public void close() {
    all.forEach(GrpcTransport::close);
  }
}
