package io.flotilla.placement.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.flotilla.multiraft.client.KvClient;
import io.flotilla.multiraft.client.KvClientOptions;
import io.flotilla.multiraft.node.Node;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One client writing and reading keys spread over the ranges while the cluster rearranges
 * itself: any error it sees is remembered and fails {@link #stopAndCheck}, which also reads back
 * every acknowledged write.
 */
final class ClientLoad implements AutoCloseable {
  private final KvClient client;
  private final Map<String, String> acked = new ConcurrentHashMap<>();
  private final AtomicLong operations = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  /** Notified after every operation and on failure: what {@link #awaitOperations} waits on. */
  private final Object progress = new Object();
  private final Thread thread;
  private volatile boolean running = true;

  ClientLoad(DriverCluster cluster, int keySpace) {
    this.client = new KvClient(cluster.nodes.values().stream().map(Node::address).toList(),
        KvClientOptions.defaults().withTotalTimeout(Duration.ofSeconds(30)));
    this.thread = new Thread(() -> run(keySpace), "client-load");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(int keySpace) {
    SplittableRandom random = new SplittableRandom(7);
    long n = 0;
    while (running) {
      String key = new String(PlacementDriverTest.key(random.nextInt(keySpace)),
          StandardCharsets.UTF_8);
      try {
        if (random.nextBoolean()) {
          String value = "v" + n++;
          client.put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
          acked.put(key, value);
        } else {
          byte[] got = client.get(key.getBytes(StandardCharsets.UTF_8));
          String expected = acked.get(key);
          if (expected != null && (got == null
              || !expected.equals(new String(got, StandardCharsets.UTF_8)))) {
            throw new AssertionError("read " + key + ": expected " + expected + ", got "
                + (got == null ? "nothing" : new String(got, StandardCharsets.UTF_8)));
          }
        }
        operations.incrementAndGet();
        signal();
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
        signal();
        return;
      }
    }
  }

  private void signal() {
    synchronized (progress) {
      progress.notifyAll();
    }
  }

  void awaitOperations(long n) throws InterruptedException {
    synchronized (progress) {
      while (operations.get() < n && failure.get() == null) {
        progress.wait();
      }
    }
  }

  /** Stops the client; fails if it saw an error or if an acknowledged write is not there. */
  void stopAndCheck() throws InterruptedException {
    running = false;
    thread.join(60_000);
    if (failure.get() != null) {
      throw new AssertionError("the client saw an error after " + operations.get()
          + " operations", failure.get());
    }
    for (Map.Entry<String, String> e : acked.entrySet()) {
      assertArrayEquals(e.getValue().getBytes(StandardCharsets.UTF_8),
          client.get(e.getKey().getBytes(StandardCharsets.UTF_8)), "acknowledged " + e);
    }
  }

  @Override
  public String toString() {
    return operations.get() + " operations, " + acked.size() + " keys written and read back";
  }

  @Override
  public void close() {
    running = false;
    client.close();
  }
}
