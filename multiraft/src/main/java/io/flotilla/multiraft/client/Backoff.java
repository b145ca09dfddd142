package io.flotilla.multiraft.client;

import java.util.SplittableRandom;

/**
 * Exponential backoff with "equal jitter": the n-th delay is uniform in [d/2, d] where d =
 * base * 2^n capped at max. Half of each delay is fixed so retries never hammer a node; half is
 * random so clients that failed together do not retry together. One per operation (not
 * thread-safe).
 */
final class Backoff {
  private final long maxMillis;
  private final SplittableRandom random;
  private long nextMillis;

  Backoff(long baseMillis, long maxMillis, SplittableRandom random) {
    this.maxMillis = maxMillis;
    this.random = random;
    this.nextMillis = baseMillis;
  }

  long nextDelayMillis() {
    long d = nextMillis;
    nextMillis = Math.min(maxMillis, nextMillis * 2);
    long half = d / 2;
    return half + random.nextLong(d - half + 1);
  }
}
