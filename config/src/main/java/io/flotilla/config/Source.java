package io.flotilla.config;

import java.nio.file.Path;

/**
 * Where a value (or a problem) came from, so that every error can send the user to the line to
 * fix and {@link Config#describe()} can say why a value is what it is.
 *
 * @param kind which of the four sources
 * @param location file and line ({@code flotilla.conf:3}), environment variable name, or the
 *     command-line argument; empty for defaults
 */
public record Source(Kind kind, String location) {
  /** The sources in the order they are applied; later ones win. */
  public enum Kind { DEFAULT, FILE, ENVIRONMENT, COMMAND_LINE }

  private static final Source DEFAULT = new Source(Kind.DEFAULT, "");

  public static Source defaultValue() {
    return DEFAULT;
  }

  /** A whole file, for problems such as "not found" that have no line. */
  public static Source file(Path file) {
    return new Source(Kind.FILE, file.toString());
  }

  /** One line of a file, counted from 1. */
  public static Source file(Path file, int line) {
    return new Source(Kind.FILE, file + ":" + line);
  }

  public static Source environment(String variable) {
    return new Source(Kind.ENVIRONMENT, variable);
  }

  /** {@code argument} is the {@code key=value} text given to {@code --set}. */
  public static Source commandLine(String argument) {
    return new Source(Kind.COMMAND_LINE, "--set " + argument);
  }

  /** A phrase that follows a key in a sentence: "at flotilla.conf:3". */
  public String describe() {
    return switch (kind) {
      case DEFAULT -> "by default";
      case FILE -> "at " + location;
      case ENVIRONMENT -> "in environment variable " + location;
      case COMMAND_LINE -> "on the command line (" + location + ")";
    };
  }

  @Override
  public String toString() {
    return kind == Kind.DEFAULT ? "default" : location;
  }
}
