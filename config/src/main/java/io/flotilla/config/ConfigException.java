package io.flotilla.config;

import java.util.List;

/**
 * The configuration could not be loaded. It lists every problem found, not just the first, so
 * that a user fixes a config file in one round instead of one error per restart. The message
 * is written for the user: each problem names the key, where it was set, the value and what was
 * expected.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * One thing wrong with the configuration.
   *
   * @param key the setting (or, for the environment, the variable) it is about; {@code null}
   *     when it is about no one setting, such as a missing file or a line without {@code =}
   * @param source where the offending text came from
   * @param message the complete sentence shown to the user
   */
  public record Problem(String key, Source source, String message) {}

  private final transient List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  public static ConfigException of(String key, Source source, String message) {
    return new ConfigException(List.of(new Problem(key, source, message)));
  }

  /** Every problem, in the order the sources are applied (file, environment, command line). */
  public List<Problem> problems() {
    return problems;
  }

  /** The key of the first problem; {@code null} when that problem is about no one setting. */
  public String key() {
    return problems.get(0).key();
  }

  /** Where the first problem came from. */
  public Source source() {
    return problems.get(0).source();
  }

  private static String render(List<Problem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    if (problems.size() == 1) {
      return problems.get(0).message();
    }
    StringBuilder sb = new StringBuilder()
        .append(problems.size()).append(" problems in the configuration:");
    for (Problem p : problems) {
      sb.append("\n  - ").append(p.message());
    }
    return sb.toString();
  }
}
