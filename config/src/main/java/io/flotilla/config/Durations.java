package io.flotilla.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in config files: a whole number and a unit ({@code 250ms},
 * {@code 5s}, {@code 5m}). The unit is required because a bare {@code 5} is ambiguous, and that
 * ambiguity is exactly the kind of mistake that turns a 5-second timeout into 5 milliseconds.
 */
public final class Durations {
  /** Units from the largest down, so {@link #format} picks the largest one that is exact. */
  private static final List<Unit> UNITS = List.of(
      new Unit("d", ChronoUnit.DAYS),
      new Unit("h", ChronoUnit.HOURS),
      new Unit("m", ChronoUnit.MINUTES),
      new Unit("s", ChronoUnit.SECONDS),
      new Unit("ms", ChronoUnit.MILLIS),
      new Unit("us", ChronoUnit.MICROS),
      new Unit("ns", ChronoUnit.NANOS));

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private static final Pattern SYNTAX = Pattern.compile("(\\d+)\\s*([a-zA-Zµ]+)");

  static final String EXPECTED =
      "a duration: a whole number and a unit (ns, us, ms, s, m, h, d), such as 250ms, 5s or 5m";

  private record Unit(String suffix, ChronoUnit chronoUnit) {}

  private Durations() {}

  /**
   * Parses {@code 250ms}, {@code 5s}, {@code 5m} and the like.
   *
   * @throws IllegalArgumentException whose message says what was expected
   */
  public static Duration parse(String text) {
    Matcher m = SYNTAX.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(EXPECTED);
    }
    String suffix = m.group(2).toLowerCase(Locale.ROOT).replace('µ', 'u');
    for (Unit unit : UNITS) {
      if (unit.suffix.equals(suffix)) {
        try {
          return Duration.of(Long.parseLong(m.group(1)), unit.chronoUnit);
        } catch (NumberFormatException | ArithmeticException e) {
          throw new IllegalArgumentException(EXPECTED + " (this one is too long)", e);
        }
      }
    }
    throw new IllegalArgumentException(EXPECTED + "; '" + m.group(2) + "' is not a unit");
  }

  /** The shortest exact form using one unit: {@code 5m}, {@code 250ms}, {@code 0s}. */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    for (Unit unit : UNITS) {
      long unitNanos = unit.chronoUnit.getDuration().toNanos();
      if (unitNanos >= NANOS_PER_SECOND) {
        // Whole seconds and up: work in seconds, because nanos overflow after 292 years.
        long unitSeconds = unitNanos / NANOS_PER_SECOND;
        if (duration.getNano() == 0 && duration.getSeconds() % unitSeconds == 0) {
          return duration.getSeconds() / unitSeconds + unit.suffix;
        }
      } else if (duration.getNano() % unitNanos == 0) {
        try {
          long count = Math.addExact(
              Math.multiplyExact(duration.getSeconds(), NANOS_PER_SECOND / unitNanos),
              duration.getNano() / unitNanos);
          return count + unit.suffix;
        } catch (ArithmeticException tooLong) {
          return duration.toString();
        }
      }
    }
    throw new AssertionError("every duration is a whole number of nanoseconds: " + duration);
  }
}
