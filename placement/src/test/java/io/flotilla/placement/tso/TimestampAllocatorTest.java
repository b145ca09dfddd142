package io.flotilla.placement.tso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The allocator's logic with an injected clock and the in-memory mark store: take-over,
 * contiguous strictly increasing batches, window renewal, a clock going backwards, and fencing
 * of an allocator that lost (or never won) the mark.
 */
class TimestampAllocatorTest {
  private static final TsoOptions OPTIONS = new TsoOptions(3000, 2000, 10_000, 20);
  private static final long T0 = 1_700_000_000_000L;

  private final AtomicLong clock = new AtomicLong(T0);
  private final MemoryMarkStore store = new MemoryMarkStore();

  private TimestampAllocator allocator(long firstTenureId) {
    AtomicLong ids = new AtomicLong(firstTenureId);
    return new TimestampAllocator(store, clock::get, ids::getAndIncrement, OPTIONS);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertTrue(f.isCompletedExceptionally(), "expected a failure, got " + f);
    try {
      f.join();
      throw new AssertionError("unreachable");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void takesOverByWritingTheMarkAWindowAheadAndServesAboveTheOldMark() {
    TimestampAllocator a = allocator(1);
    a.serve().join();
    Mark m = store.current().orElseThrow();
    assertEquals(Timestamps.of(T0 + 3000, 0), m.timestamp());
    assertEquals(1, m.owner());
    long first = a.allocate(1).join();
    assertEquals(Timestamps.of(T0, 0), first, "the clock's time, logical 0");

    // A successor whose clock is behind still serves above the whole window of the first.
    a.stop("test");
    clock.set(T0 - 10_000);
    TimestampAllocator b = allocator(100);
    b.serve().join();
    long next = b.allocate(5).join();
    assertEquals(m.timestamp() + 1, next);
    assertEquals(Timestamps.of(T0 + 3000 + 3000, 0), store.current().orElseThrow().timestamp());
  }

  @Test
  void batchesAreContiguousAndStrictlyIncreasing() {
    TimestampAllocator a = allocator(1);
    a.serve().join();
    long previousLast = 0;
    int handedOut = 0;
    for (int i = 0; i < 2000; i++) {
      int count = 1 + i % 37;
      if (i % 3 == 0) {
        clock.addAndGet(1);
      }
      long first = a.allocate(count).join();
      assertTrue(first > previousLast, "batch " + i + " starts above the previous one");
      previousLast = first + count - 1;
      handedOut += count;
      a.tick();
    }
    assertEquals(handedOut, a.stats().timestampsHandedOut());
    // Within one millisecond the logical counter advances: 37 batches in the same ms.
    long base = a.allocate(10).join();
    long again = a.allocate(10).join();
    assertEquals(base + 10, again);
  }

  @Test
  void renewsTheWindowBeforeItRunsOutAndWaitsWhenARequestDoesNotFit() {
    TimestampAllocator a = allocator(1);
    a.serve().join();
    long firstMark = store.current().orElseThrow().timestamp();
    clock.addAndGet(500);
    a.tick();
    assertEquals(firstMark, store.current().orElseThrow().timestamp(), "2.5 s left: no renewal");
    clock.addAndGet(600); // 1.9 s left
    a.tick();
    long renewed = store.current().orElseThrow().timestamp();
    assertEquals(Timestamps.of(T0 + 1100 + 3000, 0), renewed);
    assertEquals(1, a.stats().renewals());

    // The clock jumps past the window: the request waits for the renewal's compare-and-set.
    store.hold(true);
    clock.addAndGet(10_000);
    CompletableFuture<Long> f = a.allocate(3);
    assertFalse(f.isDone(), "nothing is handed out above the persisted mark");
    assertEquals(1, store.pendingCount(), "one compare-and-set in flight");
    store.runNext(); // the renewal
    assertFalse(f.isDone(), "answered only after the read that confirms ownership");
    store.runAll();
    assertEquals(Timestamps.of(T0 + 11_100, 0), f.join());
    assertTrue(store.current().orElseThrow().timestamp() > f.join() + 2);
  }

  @Test
  void aClockThatGoesBackwardsNeverTakesTimestampsBack() {
    TimestampAllocator a = allocator(1);
    a.serve().join();
    clock.addAndGet(1000);
    long before = a.allocate(100).join() + 99;
    clock.addAndGet(-60_000); // a minute back
    long last = before;
    for (int i = 0; i < 50; i++) {
      long first = a.allocate(10_000).join();
      assertTrue(first > last, "logically above the last one handed out");
      last = first + 9999;
      a.tick();
    }
    // 500,000 timestamps at a standstill clock: past 1 ms of logical space and still renewing
    // above the last one handed out, not above the (earlier) clock.
    assertTrue(store.current().orElseThrow().timestamp() > last);
    assertTrue(Timestamps.physicalMillis(last) >= T0 + 1000);
  }

  @Test
  void anAllocatorThatLostTheCompareAndSetNeverServes() {
    TimestampAllocator a = allocator(1);
    TimestampAllocator b = allocator(100);
    store.hold(true);
    CompletableFuture<Void> aReady = a.serve();
    CompletableFuture<Void> bReady = b.serve();
    store.runNext(); // a reads: absent
    store.runNext(); // b reads: absent
    store.runAll(); // a's compare-and-set wins, b's loses
    aReady.join();
    assertInstanceOf(NotServingException.class, failure(bReady));
    assertFalse(b.serving());
    store.hold(false);
    assertInstanceOf(NotServingException.class, failure(b.allocate(1)));
    assertEquals(1, store.current().orElseThrow().owner());
    a.allocate(1).join();
  }

  @Test
  void aSupersededAllocatorAnswersNothingItAllocatedBeforeNoticing() {
    TimestampAllocator a = allocator(1);
    a.serve().join();
    long aFirst = a.allocate(1).join();

    // b takes over while a still believes it serves.
    TimestampAllocator b = allocator(100);
    b.serve().join();
    long bFirst = b.allocate(1).join();
    assertTrue(bFirst > aFirst);

    // a's window is still open in memory, but its read of the mark shows b: it answers nothing.
    Throwable e = failure(a.allocate(1));
    assertInstanceOf(NotServingException.class, e);
    assertTrue(e.getMessage().contains("another oracle took the mark over"), e.getMessage());
    assertFalse(a.serving());
    // a's renewal cannot succeed either: it would have to match a mark it no longer owns.
    assertEquals(100, store.current().orElseThrow().owner());
  }

  @Test
  void aRequestAllocatedBeforeATakeOverButReadAfterItIsRefused() {
    TimestampAllocator a = allocator(1);
    a.serve().join();
    store.hold(true);
    CompletableFuture<Long> stale = a.allocate(1); // allocated; its read is queued
    TimestampAllocator b = allocator(100);
    CompletableFuture<Void> bReady = b.serve();
    store.run(1); // b reads a's mark
    store.run(1); // b's compare-and-set wins
    bReady.join();
    CompletableFuture<Long> fresh = b.allocate(1);
    store.run(1); // b's read confirms b; b answers
    long bTs = fresh.join();
    store.runNext(); // only now a's read: it sees b's mark
    assertInstanceOf(NotServingException.class, failure(stale));
    assertTrue(bTs > 0);
  }

  @Test
  void requestsArrivingDuringARead_shareTheNextRead() {
    TimestampAllocator a = allocator(1);
    a.serve().join();
    int readsBefore = store.reads;
    store.hold(true);
    List<CompletableFuture<Long>> fs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      fs.add(a.allocate(2));
    }
    assertEquals(1, store.pendingCount(), "the first request's read; nine wait for the next");
    store.runNext();
    assertTrue(fs.get(0).isDone());
    assertEquals(1, store.pendingCount(), "one read for the other nine");
    store.runNext();
    assertEquals(readsBefore + 2, store.reads);
    long expected = fs.get(0).join();
    for (CompletableFuture<Long> f : fs) {
      assertEquals(expected, f.join());
      expected += 2;
    }
  }

  @Test
  void stoppingFailsWaitingRequestsAndRefusesNewOnes() {
    TimestampAllocator a = allocator(1);
    store.hold(true);
    a.serve();
    CompletableFuture<Long> waiting = a.allocate(1);
    a.stop("lost leadership");
    assertInstanceOf(NotServingException.class, failure(waiting));
    assertInstanceOf(NotServingException.class, failure(a.allocate(1)));
    store.runAll(); // the abandoned take-over completes: it serves nothing
    assertFalse(a.serving());
    assertInstanceOf(IllegalArgumentException.class, failure(allocator(5).allocate(10_001)));
  }
}
