package io.flotilla.multiraft.transport;

import java.util.function.LongSupplier;

/**
 * A token bucket in bytes, shared by every snapshot this node sends. A caller takes its bytes
 * first and then sleeps off any debt, so concurrent senders share the rate fairly and the total
 * never exceeds it by more than the bucket's capacity (a tenth of a second of rate): the first
 * {@code n} bytes go out no sooner than {@code (n - capacity) / rate} seconds after the bucket
 * was full. Thread-safe; the lock is held only for arithmetic, never while sleeping.
 */
final class RateLimiter {
  /** Sleeps for the given nanoseconds; tests pass a fake that advances a fake clock. */
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  private final double bytesPerNano;
  private final double capacity;
  private final LongSupplier nanoClock;
  private final Sleeper sleeper;
  private double tokens;
  private long lastNanos;

  RateLimiter(long bytesPerSecond, LongSupplier nanoClock, Sleeper sleeper) {
    this.bytesPerNano = bytesPerSecond / 1e9;
    this.capacity = Math.max(1, bytesPerSecond / 10.0);
    this.nanoClock = nanoClock;
    this.sleeper = sleeper;
    this.tokens = capacity;
    this.lastNanos = nanoClock.getAsLong();
  }

  static RateLimiter system(long bytesPerSecond) {
    return new RateLimiter(bytesPerSecond, System::nanoTime,
        nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
  }

  /** Takes {@code bytes}, sleeping until the rate allows them. */
  void acquire(long bytes) throws InterruptedException {
    long waitNanos;
    synchronized (this) {
      long now = nanoClock.getAsLong();
      tokens = Math.min(capacity, tokens + (now - lastNanos) * bytesPerNano);
      lastNanos = now;
      tokens -= bytes;
      waitNanos = tokens >= 0 ? 0 : (long) Math.ceil(-tokens / bytesPerNano);
    }
    if (waitNanos > 0) {
      sleeper.sleep(waitNanos);
    }
  }
}
