package io.flotilla.multiraft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The token bucket against a fake clock: exact, and instant. */
class RateLimiterTest {
  private long now;

  private RateLimiter limiter(long bytesPerSecond) {
    return new RateLimiter(bytesPerSecond, () -> now, nanos -> now += nanos);
  }

  @Test
  void aBurstOfATenthOfASecondIsFreeThenBytesCostTheirTime() throws InterruptedException {
    RateLimiter l = limiter(1000);
    l.acquire(100); // the full bucket
    assertEquals(0, now);
    l.acquire(500);
    assertEquals(500_000_000L, now);
    l.acquire(1000);
    assertEquals(1_500_000_000L, now);
  }

  @Test
  void idleTimeRefillsNoMoreThanTheBucket() throws InterruptedException {
    RateLimiter l = limiter(1000);
    now += 60_000_000_000L; // a minute idle earns a tenth of a second, not a minute
    l.acquire(100);
    long before = now;
    l.acquire(1000);
    assertEquals(before + 1_000_000_000L, now);
  }

  @Test
  void twoMegabytesAtOneMegabytePerSecondTakeAtLeastOnePointNineSeconds()
      throws InterruptedException {
    RateLimiter l = limiter(1 << 20);
    for (int i = 0; i < 2; i++) {
      l.acquire(1 << 20);
    }
    assertEquals(1.9, now / 1e9, 0.001);
  }
}
