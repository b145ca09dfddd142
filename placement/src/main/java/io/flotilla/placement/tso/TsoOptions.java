package io.flotilla.placement.tso;

/**
 * Settings of the timestamp oracle.
 *
 * @param windowMillis how far (physical ms) the persisted mark is set ahead of the clock (or of
 *     the last timestamp handed out, if the clock is behind it) each time it is written
 * @param renewBeforeMillis the mark is renewed once fewer than this many ms of the window are
 *     left; less than {@code windowMillis}
 * @param maxBatch the most timestamps one request may ask for
 * @param checkIntervalMillis how often the node checks whether it leads the system range and
 *     whether the window needs renewing
 */
public record TsoOptions(long windowMillis, long renewBeforeMillis, int maxBatch,
    long checkIntervalMillis) {

  /** A 3 s window renewed with 2 s left, batches of up to 10,000, checks every 20 ms. */
  public static final TsoOptions DEFAULTS = new TsoOptions(3000, 2000, 10_000, 20);

  public TsoOptions {
    if (windowMillis <= 0 || renewBeforeMillis <= 0 || renewBeforeMillis >= windowMillis) {
      throw new IllegalArgumentException("TSO window " + windowMillis + " ms, renewed with "
          + renewBeforeMillis + " ms left: need 0 < renew-before < window");
    }
    if (maxBatch < 1 || maxBatch >= 1 << Timestamps.LOGICAL_BITS) {
      throw new IllegalArgumentException("TSO max batch " + maxBatch + ": need 1 to "
          + ((1 << Timestamps.LOGICAL_BITS) - 1));
    }
    if (checkIntervalMillis <= 0) {
      throw new IllegalArgumentException("TSO check interval " + checkIntervalMillis + " ms");
    }
  }
}
