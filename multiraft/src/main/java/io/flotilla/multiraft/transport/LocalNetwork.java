package io.flotilla.multiraft.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * An in-process network of {@link LocalTransport}s, for runtime tests: every delivery, snapshot
 * and peer event runs on one delivery executor, in the order it was posted, so per-pair order
 * holds as over a real stream. Test hooks cut links ({@link #partition}, {@link #isolate}) and
 * drop chosen envelopes ({@link #dropIf}). A cut link reports {@code onPeerDown} at once (no
 * liveness timeout) and envelopes sent across it come back through {@code onUnreachable};
 * envelopes dropped by the filter vanish silently, as lost packets do.
 */
public final class LocalNetwork implements AutoCloseable {
  /** A directed link whose envelopes are dropped. */
  private record Link(long from, long to) {}

  private final Map<Long, LocalTransport> nodes = new ConcurrentHashMap<>();
  private final Set<Link> cut = ConcurrentHashMap.newKeySet();
  private final Executor delivery;
  private final ExecutorService owned;
  private volatile BiPredicate<Long, Envelope> drop = (from, e) -> false;

  /** Delivers on one thread of its own. */
  public LocalNetwork() {
    this.owned = Executors.newSingleThreadExecutor(Threads.named("flotilla-local-network"));
    this.delivery = owned;
  }

  /** Delivers on {@code delivery}; {@code Runnable::run} delivers inside {@code flush()}. */
  public LocalNetwork(Executor delivery) {
    this.owned = null;
    this.delivery = delivery;
  }

  /** A transport for node {@code nodeId}, which must not be on the network yet. */
  public LocalTransport join(long nodeId, IncomingSnapshots incoming, int maxQueueMessages) {
    LocalTransport t = new LocalTransport(this, nodeId, incoming, maxQueueMessages);
    if (nodes.putIfAbsent(nodeId, t) != null) {
      throw new IllegalStateException("node " + nodeId + " is already on the network");
    }
    return t;
  }

  /** Cuts both directions between {@code a} and {@code b}. */
  public void partition(long a, long b) {
    if (cut.add(new Link(a, b)) | cut.add(new Link(b, a))) {
      post(() -> {
        event(a, b, false);
        event(b, a, false);
      });
    }
  }

  /** Cuts {@code node} off from every other node on the network. */
  public void isolate(long node) {
    for (long other : new ArrayList<>(nodes.keySet())) {
      if (other != node) {
        partition(node, other);
      }
    }
  }

  /** Restores every cut link. */
  public void heal() {
    List<Link> healed = new ArrayList<>(cut);
    cut.removeAll(healed);
    post(() -> healed.forEach(l -> event(l.from(), l.to(), true)));
  }

  /** Drops, silently, every envelope from node {@code from} that {@code filter} accepts. */
  public void dropIf(BiPredicate<Long, Envelope> filter) {
    drop = filter;
  }

  void post(Runnable r) {
    delivery.execute(r);
  }

  LocalTransport node(long nodeId) {
    return nodes.get(nodeId);
  }

  boolean linked(long from, long to) {
    return !cut.contains(new Link(from, to));
  }

  void leave(LocalTransport t) {
    nodes.remove(t.nodeId(), t);
  }

  /** Delivers one flush's envelopes from {@code from} to {@code to}, as one batch. */
  void deliver(LocalTransport from, long to, List<Envelope> envelopes) {
    post(() -> {
      LocalTransport dest = nodes.get(to);
      if (dest == null || !dest.started() || !linked(from.nodeId(), to)) {
        envelopes.forEach(from::unreachable);
        return;
      }
      BiPredicate<Long, Envelope> d = drop;
      List<Envelope> kept = envelopes.stream().filter(e -> !d.test(from.nodeId(), e)).toList();
      if (!kept.isEmpty()) {
        dest.receive(from.nodeId(), kept);
      }
    });
  }

  private void event(long observer, long peer, boolean up) {
    LocalTransport t = nodes.get(observer);
    if (t != null) {
      t.peerEvent(peer, up);
    }
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.shutdownNow();
      try {
        owned.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
