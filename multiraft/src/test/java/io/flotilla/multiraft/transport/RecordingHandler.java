package io.flotilla.multiraft.transport;

import static org.junit.jupiter.api.Assertions.fail;

import io.flotilla.kv.snapshot.IncomingSnapshot;
import io.flotilla.kv.snapshot.SnapshotManifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** A handler that records everything and lets a test wait for what it expects. */
final class RecordingHandler implements Transport.Handler {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  record Delivery(long from, List<Envelope> envelopes) {}

  record Staged(long from, Envelope envelope, IncomingSnapshot staged,
      SnapshotManifest manifest) {}

  private final List<Delivery> deliveries = new ArrayList<>();
  private final List<Envelope> unreachable = new ArrayList<>();
  private final List<Long> downs = new ArrayList<>();
  private final List<Long> ups = new ArrayList<>();
  private final List<Staged> snapshots = new ArrayList<>();

  @Override
  public synchronized void onMessages(long fromNode, List<Envelope> envelopes) {
    deliveries.add(new Delivery(fromNode, List.copyOf(envelopes)));
    notifyAll();
  }

  @Override
  public synchronized void onSnapshot(long fromNode, Envelope installSnapshot,
      IncomingSnapshot staged, SnapshotManifest manifest) {
    snapshots.add(new Staged(fromNode, installSnapshot, staged, manifest));
    notifyAll();
  }

  @Override
  public synchronized void onUnreachable(Envelope envelope) {
    unreachable.add(envelope);
    notifyAll();
  }

  @Override
  public synchronized void onPeerDown(long node) {
    downs.add(node);
    notifyAll();
  }

  @Override
  public synchronized void onPeerUp(long node) {
    ups.add(node);
    notifyAll();
  }

  synchronized List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  /** Every envelope received from {@code from}, in arrival order. */
  synchronized List<Envelope> received(long from) {
    return deliveries.stream().filter(d -> d.from() == from)
        .flatMap(d -> d.envelopes().stream()).toList();
  }

  synchronized List<Envelope> unreachable() {
    return List.copyOf(unreachable);
  }

  synchronized List<Long> downs() {
    return List.copyOf(downs);
  }

  synchronized List<Long> ups() {
    return List.copyOf(ups);
  }

  synchronized List<Staged> snapshots() {
    return List.copyOf(snapshots);
  }

  /** Waits, woken by every event, until {@code condition} (checked under this lock) holds. */
  synchronized void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        fail("timed out waiting until " + what);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  void awaitReceived(long from, int count) throws InterruptedException {
    await(() -> received(from).size() >= count, count + " envelopes arrived from node " + from);
  }
}
