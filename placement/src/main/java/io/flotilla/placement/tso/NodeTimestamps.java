package io.flotilla.placement.tso;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The TSO as a node's own ranges reach it (their leaders fetch a timestamp after an election,
 * see the runtime's one-phase gate): a {@link TsoClient} over the nodes this node knows, made
 * at the first call, when the registry holds at least this node.
 */
final class NodeTimestamps implements AutoCloseable {
  private final Supplier<Map<Long, String>> addresses;
  private TsoClient client;
  private boolean closed;

  NodeTimestamps(Supplier<Map<Long, String>> addresses) {
    this.addresses = addresses;
  }

  CompletableFuture<Long> next() {
    TsoClient c;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new TsoClient.TsoException("the node is closing"));
      }
      if (client == null) {
        List<String> known = List.copyOf(addresses.get().values());
        if (known.isEmpty()) {
          return CompletableFuture.failedFuture(new TsoClient.TsoException(
              "this node knows no node of its cluster yet"));
        }
        client = new TsoClient(known);
      }
      c = client;
    }
    return c.getTimestamps(1);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (client != null) {
      client.close();
    }
  }
}
