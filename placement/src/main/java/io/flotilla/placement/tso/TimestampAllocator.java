package io.flotilla.placement.tso;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The timestamp oracle's logic: strictly increasing timestamps handed out from a window below a
 * high-water mark that is persisted (in a {@link MarkStore}) before any timestamp under it is
 * handed out. It has no threads and no clock of its own: the clock, the store and the tenure ids
 * are passed in, and whoever drives it calls {@link #serve}, {@link #stop} and {@link #tick}.
 *
 * <p><b>A tenure</b> is one uninterrupted period of serving. {@link #serve} starts one: read the
 * mark {@code m} (linearizably), then compare-and-set it from {@code m} to
 * {@code max(m, now) + window}, owned by this tenure's id. Only if that succeeded does the tenure
 * serve, and only timestamps above {@code m}: every timestamp any earlier tenure handed out is at
 * or below the mark it had written. A tenure whose compare-and-set fails (another took over
 * meanwhile) never serves. The window is renewed the same way (compare-and-set from exactly the
 * mark this tenure wrote) once less than {@code renewBeforeMillis} of it is left, or at once when
 * a request does not fit; requests wait meanwhile. A clock behind the mark does not matter:
 * timestamps are {@code max(last + 1, now)}, so they go on logically above the last one.
 *
 * <p><b>Why a stale server cannot answer out of order.</b> Windows of different tenures never
 * overlap, but a server that lost the system range's leadership without noticing yet could still
 * hand out from its old window after the new leader handed out larger timestamps. So every
 * batch of allocated timestamps is answered only after a linearizable read of the mark,
 * <em>issued after</em> they were allocated, shows this tenure still owns it. If another tenure
 * answered a request before this request was received, that tenure had already written the mark,
 * so the read cannot show this tenure as owner and this request fails ({@link
 * NotServingException}); otherwise its timestamps are below every timestamp the next tenure will
 * hand out. Requests that arrive while a read is in flight share the next read.
 *
 * <p>Thread-safe. Store calls and completions run outside the lock.
 */
public final class TimestampAllocator {
  private final MarkStore store;
  private final LongSupplier clockMillis;
  private final LongSupplier tenureIds;
  private final TsoOptions options;
  private final Object lock = new Object();

  // Guarded by lock.
  private Tenure tenure;
  private long handedOut;
  private long requests;
  private long tenures;
  private long renewals;
  private long mark;

  /**
   * @param tenureIds a fresh id for each tenure, distinct from any other tenure's on any node
   *     (production: random 64-bit values)
   */
  public TimestampAllocator(MarkStore store, LongSupplier clockMillis, LongSupplier tenureIds,
      TsoOptions options) {
    this.store = store;
    this.clockMillis = clockMillis;
    this.tenureIds = tenureIds;
    this.options = options;
  }

  /** What the allocator has done, for metrics and logs. */
  public record Stats(boolean serving, long timestampsHandedOut, long requests, long tenures,
      long renewals, long mark) {}

  private static final class Tenure {
    final long id;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    boolean serving;
    /** The last timestamp allocated. */
    long last;
    /** The mark this tenure wrote and saw written: nothing above it is allocated. */
    long limit;
    boolean renewing;
    boolean verifying;
    /** Requests waiting for the window (while taking over or renewing), in arrival order. */
    final ArrayDeque<Request> waiting = new ArrayDeque<>();
    /** Allocated, waiting for the next read of the mark. */
    List<Allocated> toVerify = new ArrayList<>();

    Tenure(long id) {
      this.id = id;
    }
  }

  private record Request(int count, CompletableFuture<Long> result) {}

  private record Allocated(long first, CompletableFuture<Long> result) {}

  private record TakeOver(Optional<Mark> previous, Mark next, boolean won) {}

  /** Work to run once the lock is released, in order. */
  private static final class Effects {
    private final List<Runnable> list = new ArrayList<>();

    void add(Runnable r) {
      list.add(r);
    }

    void run() {
      list.forEach(Runnable::run);
    }
  }

  // ------------------------------------------------------------------ driving

  /**
   * Starts a tenure unless one is running or starting. The future completes when it serves, or
   * fails if it cannot (the mark could not be read or written, or another tenure won it).
   */
  public CompletableFuture<Void> serve() {
    Effects fx = new Effects();
    CompletableFuture<Void> ready;
    synchronized (lock) {
      if (tenure == null) {
        Tenure t = new Tenure(tenureIds.getAsLong());
        tenure = t;
        tenures++;
        fx.add(() -> takeOver(t));
      }
      ready = tenure.ready;
    }
    fx.run();
    return ready;
  }

  /** Ends the tenure, if any, at once: waiting and unanswered requests fail. */
  public void stop(String why) {
    Effects fx = new Effects();
    synchronized (lock) {
      if (tenure != null) {
        end(tenure, why, fx);
      }
    }
    fx.run();
  }

  /** Renews the window if it is due; call it regularly (every few ms to tens of ms). */
  public void tick() {
    Effects fx = new Effects();
    synchronized (lock) {
      Tenure t = tenure;
      if (t != null && t.serving) {
        drain(t, fx);
      }
    }
    fx.run();
  }

  /** Whether a tenure is serving now. */
  public boolean serving() {
    synchronized (lock) {
      return tenure != null && tenure.serving;
    }
  }

  public Stats stats() {
    synchronized (lock) {
      return new Stats(tenure != null && tenure.serving, handedOut, requests, tenures, renewals,
          mark);
    }
  }

  // ------------------------------------------------------------------ allocating

  /**
   * Hands out {@code count} contiguous timestamps; completes with the first. Fails with
   * {@link NotServingException} if no tenure serves (or it ends before answering), with
   * {@link IllegalArgumentException} for a count outside 1 to {@code maxBatch}.
   */
  public CompletableFuture<Long> allocate(int count) {
    if (count < 1 || count > options.maxBatch()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("asked for " + count
          + " timestamps; one request may ask for 1 to " + options.maxBatch()));
    }
    CompletableFuture<Long> f = new CompletableFuture<>();
    Effects fx = new Effects();
    synchronized (lock) {
      Tenure t = tenure;
      if (t == null) {
        NotServingException e = new NotServingException("this oracle is not serving");
        fx.add(() -> f.completeExceptionally(e));
      } else {
        t.waiting.add(new Request(count, f));
        if (t.serving) {
          drain(t, fx);
        }
      }
    }
    fx.run();
    return f;
  }

  /** Allocates to the waiting requests in order while they fit; renews the window as needed. */
  private void drain(Tenure t, Effects fx) {
    while (!t.waiting.isEmpty()) {
      Request r = t.waiting.peek();
      long first = Math.max(t.last + 1, Timestamps.of(clockMillis.getAsLong(), 0));
      long end = first + r.count() - 1;
      if (end > t.limit) {
        renew(t, fx);
        break;
      }
      t.waiting.poll();
      t.last = end;
      handedOut += r.count();
      requests++;
      t.toVerify.add(new Allocated(first, r.result()));
    }
    if (!t.toVerify.isEmpty() && !t.verifying) {
      verify(t, fx);
    }
    long ahead = Timestamps.physicalMillis(t.limit)
        - Math.max(clockMillis.getAsLong(), Timestamps.physicalMillis(t.last));
    if (ahead < options.renewBeforeMillis()) {
      renew(t, fx);
    }
  }

  // ------------------------------------------------------------------ the mark

  private void takeOver(Tenure t) {
    store.read().thenCompose(previous -> {
      long floorMillis = previous.map(m -> Timestamps.physicalMillis(m.timestamp())).orElse(0L);
      long base = Math.max(clockMillis.getAsLong(), floorMillis);
      Mark next = new Mark(Timestamps.of(base + options.windowMillis(), 0), t.id);
      return store.compareAndSet(previous, next).thenApply(won -> new TakeOver(previous, next,
          won));
    }).whenComplete((r, e) -> onTakenOver(t, r, e));
  }

  private void onTakenOver(Tenure t, TakeOver r, Throwable failure) {
    Effects fx = new Effects();
    synchronized (lock) {
      if (tenure == t) {
        if (failure != null) {
          end(t, "taking over the mark failed: " + failure, fx);
        } else if (!r.won()) {
          end(t, "another oracle wrote the mark first", fx);
        } else {
          t.last = r.previous().map(Mark::timestamp).orElse(0L);
          t.limit = r.next().timestamp();
          mark = t.limit;
          t.serving = true;
          fx.add(() -> t.ready.complete(null));
          drain(t, fx);
        }
      }
    }
    fx.run();
  }

  private void renew(Tenure t, Effects fx) {
    if (t.renewing || !t.serving) {
      return;
    }
    t.renewing = true;
    Mark expected = new Mark(t.limit, t.id);
    long base = Math.max(clockMillis.getAsLong(), Timestamps.physicalMillis(t.last));
    long next = Math.max(Timestamps.of(base + options.windowMillis(), 0),
        t.limit + Timestamps.of(1, 0));
    Mark proposed = new Mark(next, t.id);
    fx.add(() -> store.compareAndSet(Optional.of(expected), proposed)
        .whenComplete((won, e) -> onRenewed(t, proposed, won, e)));
  }

  private void onRenewed(Tenure t, Mark proposed, Boolean won, Throwable failure) {
    Effects fx = new Effects();
    synchronized (lock) {
      t.renewing = false;
      if (tenure == t) {
        if (failure != null) {
          end(t, "renewing the mark failed: " + failure, fx);
        } else if (!won) {
          end(t, "another oracle took the mark over", fx);
        } else {
          t.limit = proposed.timestamp();
          mark = t.limit;
          renewals++;
          drain(t, fx);
        }
      }
    }
    fx.run();
  }

  /** Reads the mark for the timestamps allocated so far; answers them if this tenure owns it. */
  private void verify(Tenure t, Effects fx) {
    t.verifying = true;
    List<Allocated> batch = t.toVerify;
    t.toVerify = new ArrayList<>();
    fx.add(() -> store.read().whenComplete((m, e) -> onVerified(t, batch, m, e)));
  }

  private void onVerified(Tenure t, List<Allocated> batch, Optional<Mark> m, Throwable e) {
    Effects fx = new Effects();
    synchronized (lock) {
      t.verifying = false;
      boolean owned = e == null && m.isPresent() && m.get().owner() == t.id;
      if (owned && tenure == t) {
        for (Allocated a : batch) {
          fx.add(() -> a.result().complete(a.first()));
        }
        if (!t.toVerify.isEmpty()) {
          verify(t, fx);
        }
      } else {
        String why = e != null ? "reading the mark failed: " + e
            : tenure != t ? "this oracle stopped serving"
            : "another oracle took the mark over: it is " + m.map(Mark::toString).orElse("gone");
        NotServingException ex = new NotServingException(why);
        for (Allocated a : batch) {
          fx.add(() -> a.result().completeExceptionally(ex));
        }
        if (tenure == t) {
          end(t, why, fx);
        }
      }
    }
    fx.run();
  }

  /** Ends {@code t}; everything it has not answered fails. */
  private void end(Tenure t, String why, Effects fx) {
    if (tenure == t) {
      tenure = null;
    }
    t.serving = false;
    NotServingException e = new NotServingException(why);
    fx.add(() -> t.ready.completeExceptionally(e));
    for (Request r : t.waiting) {
      fx.add(() -> r.result().completeExceptionally(e));
    }
    t.waiting.clear();
    for (Allocated a : t.toVerify) {
      fx.add(() -> a.result().completeExceptionally(e));
    }
    t.toVerify.clear();
  }
}
