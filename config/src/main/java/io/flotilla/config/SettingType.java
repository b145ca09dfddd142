package io.flotilla.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How the text of one setting becomes a typed value and back. The constants below are the
 * whole vocabulary; a new kind of value is a new constant here, so that every setting of that
 * kind parses, reports errors and prints the same way.
 *
 * @param name short name used in listings ({@code int}, {@code duration}, ...)
 * @param valueClass the Java type of parsed values
 * @param expected what a valid text looks like, completing the phrase "expected ..."
 * @param parser text to value; throws {@link IllegalArgumentException} whose message, if any,
 *     replaces {@code expected} with a more specific "expected ..." phrase
 * @param formatter value to the text a user would write in a config file
 * @param <T> the value type
 */
public record SettingType<T>(
    String name,
    Class<T> valueClass,
    String expected,
    Function<String, T> parser,
    Function<? super T, String> formatter) {

  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+(_\\d+)*");

  /** A 32-bit integer; {@code _} may group digits ({@code 1_000_000}). */
  public static final SettingType<Integer> INT = new SettingType<>("int", Integer.class,
      "an integer", SettingType::parseInt, String::valueOf);

  /** A 64-bit integer; {@code _} may group digits. */
  public static final SettingType<Long> LONG = new SettingType<>("long", Long.class,
      "an integer", SettingType::parseLong, String::valueOf);

  /** {@code true} or {@code false}, any case; nothing else, so a typo cannot read as false. */
  public static final SettingType<Boolean> BOOLEAN = new SettingType<>("boolean", Boolean.class,
      "true or false", SettingType::parseBoolean, String::valueOf);

  /** Any text, taken verbatim (the loader already trimmed surrounding blanks). */
  public static final SettingType<String> STRING = new SettingType<>("string", String.class,
      "a string", Function.identity(), Function.identity());

  /** See {@link Durations}. */
  public static final SettingType<Duration> DURATION = new SettingType<>("duration",
      Duration.class, Durations.EXPECTED, Durations::parse, Durations::format);

  /** See {@link ByteSize}. */
  public static final SettingType<ByteSize> BYTE_SIZE = new SettingType<>("byte size",
      ByteSize.class, ByteSize.EXPECTED, ByteSize::parse, ByteSize::toString);

  /** See {@link HostPort}. */
  public static final SettingType<HostPort> ADDRESS = new SettingType<>("address",
      HostPort.class, HostPort.EXPECTED, HostPort::parse, HostPort::toString);

  /** A file system path, relative ones kept relative (to be resolved by whoever opens it). */
  public static final SettingType<Path> PATH = new SettingType<>("path", Path.class,
      "a file system path", SettingType::parsePath, Path::toString);

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException whose message completes "expected ..."
   */
  public T parse(String text) {
    T value;
    try {
      value = parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw e.getMessage() == null ? new IllegalArgumentException(expected, e) : e;
    }
    if (value == null) {
      throw new IllegalArgumentException(expected);
    }
    return value;
  }

  /** The text a user would write for {@code value}; {@link #parse} reads it back unchanged. */
  public String format(T value) {
    return formatter.apply(value);
  }

  private static long parseIntegral(String text, long min, long max) {
    String s = text.strip();
    if (!INTEGER.matcher(s).matches()) {
      throw new IllegalArgumentException();
    }
    try {
      long v = Long.parseLong(s.replace("_", ""));
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException outOfLongRange) {
      // Reported below together with the in-long-but-out-of-int case.
    }
    throw new IllegalArgumentException("an integer from " + min + " to " + max);
  }

  private static Integer parseInt(String text) {
    return (int) parseIntegral(text, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  private static Long parseLong(String text) {
    return parseIntegral(text, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  private static Boolean parseBoolean(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException();
    };
  }

  private static Path parsePath(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("a non-empty file system path");
    }
    try {
      return Path.of(text.strip());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("a file system path (" + e.getReason() + ")", e);
    }
  }
}
