package io.flotilla.placement.tso;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The in-memory twin of {@link RaftMarkStore}. Immediate by default; in held mode each call is
 * queued until the test runs it ({@link #runNext}, {@link #run(int)}), and takes effect (its
 * linearization point) only then, so tests choose how calls of several allocators interleave.
 */
final class MemoryMarkStore implements MarkStore {
  private byte[] value;
  private boolean held;
  private final List<Runnable> pending = new ArrayList<>();
  int reads;
  int writes;

  synchronized void hold(boolean h) {
    held = h;
  }

  synchronized int pendingCount() {
    return pending.size();
  }

  /** Runs the {@code i}-th queued call. */
  void run(int i) {
    Runnable r;
    synchronized (this) {
      r = pending.remove(i);
    }
    r.run();
  }

  void runNext() {
    run(0);
  }

  void runAll() {
    while (pendingCount() > 0) {
      runNext();
    }
  }

  synchronized Optional<Mark> current() {
    return Optional.ofNullable(value).map(Mark::decode);
  }

  @Override
  public CompletableFuture<Optional<Mark>> read() {
    CompletableFuture<Optional<Mark>> f = new CompletableFuture<>();
    submit(() -> {
      Optional<Mark> m;
      synchronized (this) {
        reads++;
        m = current();
      }
      f.complete(m);
    });
    return f;
  }

  @Override
  public CompletableFuture<Boolean> compareAndSet(Optional<Mark> expected, Mark next) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    submit(() -> {
      boolean ok;
      synchronized (this) {
        byte[] want = expected.map(Mark::encode).orElse(null);
        ok = Arrays.equals(want, value);
        if (ok) {
          value = next.encode();
          writes++;
        }
      }
      f.complete(ok);
    });
    return f;
  }

  private void submit(Runnable r) {
    synchronized (this) {
      if (held) {
        pending.add(r);
        return;
      }
    }
    r.run();
  }
}
