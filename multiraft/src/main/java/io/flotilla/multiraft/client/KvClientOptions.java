package io.flotilla.multiraft.client;

import java.time.Duration;

/**
 * Settings of a {@link KvClient}, validated once.
 *
 * @param rpcTimeout the deadline of one RPC; longer than the server's own timeout (5 s), so a
 *     slow write normally comes back as the server's AMBIGUOUS rather than a deadline here
 * @param totalTimeout the budget of one operation across all its attempts and backoffs
 * @param maxAttempts the most RPC attempts of one operation (range lookups not counted)
 * @param backoffBase the first backoff; each next one doubles, up to {@code backoffMax}
 * @param backoffMax the longest backoff
 * @param maxCachedRanges the bound on the range cache
 * @param jitterSeed seeds the backoff jitter, so a test can replay it
 */
public record KvClientOptions(Duration rpcTimeout, Duration totalTimeout, int maxAttempts,
    Duration backoffBase, Duration backoffMax, long maxCachedRanges, long jitterSeed) {

  public KvClientOptions {
    if (!positive(rpcTimeout) || !positive(totalTimeout) || !positive(backoffBase)
        || !positive(backoffMax) || backoffMax.compareTo(backoffBase) < 0 || maxAttempts < 1
        || maxCachedRanges < 1) {
      throw new IllegalArgumentException("bad KvClient options: rpcTimeout " + rpcTimeout
          + ", totalTimeout " + totalTimeout + ", maxAttempts " + maxAttempts + ", backoff "
          + backoffBase + " to " + backoffMax + ", maxCachedRanges " + maxCachedRanges);
    }
  }

  /** 6 s per RPC, 10 s and 50 attempts per operation, backoff 10 ms to 1 s, 100k ranges. */
  public static KvClientOptions defaults() {
    return new KvClientOptions(Duration.ofSeconds(6), Duration.ofSeconds(10), 50,
        Duration.ofMillis(10), Duration.ofSeconds(1), 100_000, System.nanoTime());
  }

  public KvClientOptions withTotalTimeout(Duration d) {
    return new KvClientOptions(rpcTimeout, d, maxAttempts, backoffBase, backoffMax,
        maxCachedRanges, jitterSeed);
  }

  public KvClientOptions withRpcTimeout(Duration d) {
    return new KvClientOptions(d, totalTimeout, maxAttempts, backoffBase, backoffMax,
        maxCachedRanges, jitterSeed);
  }

  public KvClientOptions withJitterSeed(long seed) {
    return new KvClientOptions(rpcTimeout, totalTimeout, maxAttempts, backoffBase, backoffMax,
        maxCachedRanges, seed);
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }
}
