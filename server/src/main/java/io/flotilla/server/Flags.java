package io.flotilla.server;

import io.flotilla.config.Suggestions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The command-line grammar shared by all commands: {@code --name value}, {@code --name=value}
 * and bare boolean {@code --name}. Small on purpose; commands validate values themselves.
 */
final class Flags {
  /** One option as given: {@code value} is null for a boolean option. */
  record Flag(String name, String value) {}

  private Flags() {}

  /**
   * Splits {@code args} into options, in order.
   *
   * @param withValue options that take a value, such as {@code --seeds}
   * @param booleans options that take none, such as {@code --verbose}
   * @param repeatable options that may be given more than once, such as {@code --bug}
   * @throws UsageException for an unknown option (with a suggestion), a missing or unexpected
   *     value, a stray argument, or a non-repeatable option given twice
   */
  static List<Flag> parse(
      List<String> args, Set<String> withValue, Set<String> booleans, Set<String> repeatable)
      throws UsageException {
    List<Flag> flags = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String value = eq < 0 ? null : arg.substring(eq + 1);
      if (booleans.contains(name)) {
        if (value != null) {
          throw new UsageException("option '" + name + "' takes no value, got '" + arg + "'");
        }
      } else if (withValue.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
            throw new UsageException("option '" + name + "' needs a value");
          }
          value = args.get(++i);
        }
      } else {
        Set<String> known = new TreeSet<>(withValue);
        known.addAll(booleans);
        String hint = Suggestions.closest(name, known).map(s -> "; did you mean '" + s + "'?")
            .orElse("");
        throw new UsageException("unknown option '" + name + "'" + hint);
      }
      if (!seen.add(name) && !repeatable.contains(name)) {
        throw new UsageException("option '" + name + "' is given more than once");
      }
      flags.add(new Flag(name, value));
    }
    return flags;
  }

  /** A whole number in {@code [min, max]}, or a usage error naming the option. */
  static long longValue(Flag flag, long min, long max) throws UsageException {
    String range = min == Long.MIN_VALUE ? "a whole number" : "a whole number from " + min
        + (max == Long.MAX_VALUE ? " up" : " to " + max);
    try {
      long v = Long.parseLong(flag.value().strip().replace("_", ""));
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // Reported below, with the range, exactly like an out-of-range number.
    }
    throw new UsageException(
        "option '" + flag.name() + "' expects " + range + ", got '" + flag.value() + "'");
  }

  static int intValue(Flag flag, int min, int max) throws UsageException {
    return (int) longValue(flag, min, max);
  }
}
