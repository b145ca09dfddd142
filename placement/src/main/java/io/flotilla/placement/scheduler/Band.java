package io.flotilla.placement.scheduler;

/**
 * The tolerance band around a mean within which a store counts as balanced. Balancers move
 * only from a store above {@code hi} or to one below {@code lo}, and only when the move leaves
 * the source no lower than the target, so no move can be undone by the same rule.
 */
public record Band(double mean, double lo, double hi) {

  /** For counts: the band is at least one either side, so a perfect split never moves. */
  public static Band forCount(double mean, double tolerance) {
    double slack = Math.max(1.0, mean * tolerance);
    return new Band(mean, mean - slack, mean + slack);
  }

  /** For amounts (bytes, load): a plain fraction of the mean. */
  public static Band forAmount(double mean, double tolerance) {
    double slack = mean * tolerance;
    return new Band(mean, mean - slack, mean + slack);
  }

  /** Whether moving one unit from {@code source} to {@code target} is worth doing. */
  boolean warrantsMove(double source, double target) {
    return source > hi || target < lo;
  }

  @Override
  public String toString() {
    return "mean %.1f, band [%.1f, %.1f]".formatted(mean, lo, hi);
  }
}
