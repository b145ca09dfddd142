package io.flotilla.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of bytes, written with binary units: {@code 4096}, {@code 512KiB}, {@code 64MiB},
 * {@code 1GiB}. Decimal units ({@code MB}) are refused rather than guessed, since half of all
 * tools read them as powers of 1000 and the other half as powers of 1024.
 *
 * @param bytes the amount, never negative
 */
public record ByteSize(long bytes) implements Comparable<ByteSize> {
  private static final List<Unit> UNITS = List.of(
      new Unit("TiB", 1L << 40),
      new Unit("GiB", 1L << 30),
      new Unit("MiB", 1L << 20),
      new Unit("KiB", 1L << 10),
      new Unit("B", 1L));

  private static final Pattern SYNTAX = Pattern.compile("(\\d+)\\s*([a-zA-Z]*)");

  static final String EXPECTED = "a byte size: a whole number of bytes, optionally with a binary"
      + " unit (B, KiB, MiB, GiB, TiB), such as 4096, 512KiB, 64MiB or 1GiB";

  private record Unit(String suffix, long bytes) {}

  public ByteSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("a byte size cannot be negative, got " + bytes);
    }
  }

  public static ByteSize ofBytes(long bytes) {
    return new ByteSize(bytes);
  }

  public static ByteSize ofKibibytes(long kibibytes) {
    return new ByteSize(Math.multiplyExact(kibibytes, 1L << 10));
  }

  public static ByteSize ofMebibytes(long mebibytes) {
    return new ByteSize(Math.multiplyExact(mebibytes, 1L << 20));
  }

  public static ByteSize ofGibibytes(long gibibytes) {
    return new ByteSize(Math.multiplyExact(gibibytes, 1L << 30));
  }

  /**
   * Parses {@code 4096}, {@code 512KiB}, {@code 64MiB}, {@code 1GiB}; unit case is ignored.
   *
   * @throws IllegalArgumentException whose message says what was expected
   */
  public static ByteSize parse(String text) {
    Matcher m = SYNTAX.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(EXPECTED);
    }
    String suffix = m.group(2);
    long multiplier = suffix.isEmpty() ? 1 : 0;
    for (Unit unit : UNITS) {
      if (unit.suffix.equalsIgnoreCase(suffix)) {
        multiplier = unit.bytes;
      }
    }
    if (multiplier == 0) {
      throw new IllegalArgumentException(EXPECTED + "; '" + suffix + "' is not one of them"
          + binaryHint(suffix));
    }
    try {
      return new ByteSize(Math.multiplyExact(Long.parseLong(m.group(1)), multiplier));
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(EXPECTED + " (this one is too large)", e);
    }
  }

  /** For "MB" and friends, name the binary unit the user most likely meant. */
  private static String binaryHint(String suffix) {
    String s = suffix.toUpperCase(Locale.ROOT);
    if (s.length() <= 2 && !s.isEmpty() && "KMGT".indexOf(s.charAt(0)) >= 0
        && (s.length() == 1 || s.charAt(1) == 'B')) {
      return " (did you mean " + s.charAt(0) + "iB?)";
    }
    return "";
  }

  @Override
  public int compareTo(ByteSize other) {
    return Long.compare(bytes, other.bytes);
  }

  /** The largest binary unit that is exact: {@code 64MiB}, {@code 1536KiB}, {@code 100B}. */
  @Override
  public String toString() {
    for (Unit unit : UNITS) {
      if (bytes != 0 && bytes % unit.bytes == 0) {
        return bytes / unit.bytes + unit.suffix;
      }
    }
    return bytes + "B";
  }
}
