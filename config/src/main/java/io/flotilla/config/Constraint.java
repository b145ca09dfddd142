package io.flotilla.config;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A rule a parsed value must obey, with the words that tell a user what it wants. The words
 * complete an error such as "expected an integer, at least 2", so they are phrased that way.
 *
 * @param test true for acceptable values
 * @param expected what acceptable values look like ("at least 2"); empty for {@link #any()}
 * @param <T> the value type
 */
public record Constraint<T>(Predicate<? super T> test, String expected) {
  private static final Constraint<Object> ANY = new Constraint<>(v -> true, "");

  /** No rule beyond the type's own syntax. */
  @SuppressWarnings("unchecked") // ANY accepts every value, so it is a Constraint of any type.
  public static <T> Constraint<T> any() {
    return (Constraint<T>) ANY;
  }

  public static <T extends Comparable<? super T>> Constraint<T> atLeast(T min) {
    return new Constraint<>(v -> v.compareTo(min) >= 0, "at least " + show(min));
  }

  public static <T extends Comparable<? super T>> Constraint<T> atMost(T max) {
    return new Constraint<>(v -> v.compareTo(max) <= 0, "at most " + show(max));
  }

  /** From {@code min} to {@code max}, both included. */
  public static <T extends Comparable<? super T>> Constraint<T> between(T min, T max) {
    if (min.compareTo(max) > 0) {
      throw new IllegalArgumentException("empty range: " + show(min) + " > " + show(max));
    }
    return new Constraint<>(v -> v.compareTo(min) >= 0 && v.compareTo(max) <= 0,
        "from " + show(min) + " to " + show(max));
  }

  /** For strings that name one of a few choices. */
  public static Constraint<String> oneOf(String... choices) {
    List<String> list = List.of(choices);
    return new Constraint<>(list::contains, "one of " + String.join(", ", list));
  }

  public static Constraint<String> notEmpty() {
    return new Constraint<>(s -> !s.isEmpty(), "not empty");
  }

  public boolean accepts(T value) {
    return test.test(value);
  }

  public boolean isAny() {
    return expected.isEmpty();
  }

  /** Values in the words a user would type, so the message can be copied into a file. */
  private static String show(Object value) {
    return value instanceof Duration d ? Durations.format(d) : String.valueOf(value);
  }
}
