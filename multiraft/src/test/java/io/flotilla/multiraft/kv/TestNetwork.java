package io.flotilla.multiraft.kv;

import io.flotilla.multiraft.transport.Envelope;
import io.flotilla.multiraft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Raft messages between the nodes of one JVM: per-node single-threaded delivery (ordered per
 * sender, asynchronous like a network), with a switch to cut a node off. A copy of the runtime
 * tests' InProcessNetwork, so these tests do not depend on that package's test sources.
 */
public final class TestNetwork implements AutoCloseable {
  private final Map<Long, Transport.Handler> handlers = new ConcurrentHashMap<>();
  private final Map<Long, ExecutorService> delivery = new ConcurrentHashMap<>();
  private final Set<Long> isolated = ConcurrentHashMap.newKeySet();

  public Transport transportFor(long node) {
    return new Transport() {
      private final Map<Long, List<Envelope>> queued = new ConcurrentHashMap<>();

      @Override
      public void start(Handler handler) {
        handlers.put(node, handler);
        delivery.put(node, Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "net-" + node);
          t.setDaemon(true);
          return t;
        }));
      }

      @Override
      public void send(Envelope e) {
        queued.computeIfAbsent(e.message().to(), k -> new ArrayList<>()).add(e);
      }

      @Override
      public void flush() {
        for (var entry : queued.entrySet()) {
          long to = entry.getKey();
          List<Envelope> batch = List.copyOf(entry.getValue());
          entry.getValue().clear();
          if (batch.isEmpty() || isolated.contains(node) || isolated.contains(to)) {
            continue;
          }
          Transport.Handler h = handlers.get(to);
          ExecutorService ex = delivery.get(node);
          if (h != null && ex != null) {
            ex.execute(() -> h.onMessages(node, batch));
          }
        }
      }

      @Override
      public void sendSnapshot(Envelope installSnapshot, SnapshotSource source,
          SnapshotOutcome done) {
        throw new UnsupportedOperationException("data snapshots are not used in these tests");
      }

      @Override
      public void close() {
        handlers.remove(node);
        ExecutorService ex = delivery.remove(node);
        if (ex != null) {
          ex.shutdownNow();
        }
      }
    };
  }

  /** Cuts a node off and tells every other node that it is down (as a transport would). */
  public void isolate(long node) {
    isolated.add(node);
    for (Map.Entry<Long, Transport.Handler> e : handlers.entrySet()) {
      if (e.getKey() != node) {
        e.getValue().onPeerDown(node);
      }
    }
  }

  @Override
  public void close() {
    delivery.values().forEach(ExecutorService::shutdownNow);
  }
}
