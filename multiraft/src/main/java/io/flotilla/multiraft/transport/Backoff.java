package io.flotilla.multiraft.transport;

import java.util.SplittableRandom;

/**
 * Reconnection delays: doubling from a minimum to a maximum, each drawn uniformly from the upper
 * half of its step, so that nodes restarted together do not reconnect in lockstep. Not
 * thread-safe: guarded by its {@link Peer}.
 */
final class Backoff {
  private final long minNanos;
  private final long maxNanos;
  private final SplittableRandom random;
  private int failures;

  Backoff(long minNanos, long maxNanos, SplittableRandom random) {
    this.minNanos = minNanos;
    this.maxNanos = maxNanos;
    this.random = random;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  long nextNanos() {
    long step = minNanos << Math.min(failures, 30);
    if (step <= 0 || step > maxNanos) {
      step = maxNanos;
    }
    failures++;
    return step / 2 + random.nextLong(step / 2 + 1);
  }

  /** The connection works: the next failure starts again from the minimum. */
  void reset() {
    failures = 0;
  }
}
