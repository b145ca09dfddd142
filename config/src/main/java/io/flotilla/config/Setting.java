package io.flotilla.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One configuration setting: its name, type, default, rule and documentation. Settings are
 * declared as constants by the module that reads them and contributed to a
 * {@link SettingsRegistry}; values are read with {@link Config#get(Setting)}.
 *
 * <p>A mistake in a declaration (bad name, multi-line doc, a default its own rule rejects) is a
 * programming error and fails at class initialisation, long before a user can hit it.
 *
 * @param name dotted lower-case name, such as {@code raft.election-ticks}
 * @param type how values are parsed and printed
 * @param defaultValue the value when no source sets one; must satisfy {@code constraint}
 * @param constraint the rule every value must obey
 * @param doc one line saying what the setting does, for {@link SettingsRegistry#describe()}
 * @param <T> the value type
 */
public record Setting<T>(
    String name, SettingType<T> type, T defaultValue, Constraint<? super T> constraint,
    String doc) {

  private static final String SEGMENT = "[a-z][a-z0-9]*(-[a-z0-9]+)*";
  private static final Pattern NAME = Pattern.compile(SEGMENT + "(\\." + SEGMENT + ")+");

  /** Prefix of environment variables that set values: FLOTILLA_RAFT_ELECTION_TICKS. */
  public static final String ENV_PREFIX = "FLOTILLA_";

  public Setting {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("setting name '" + name + "' must be dotted lower-case"
          + " words with dashes, such as raft.election-ticks");
    }
    if (type == null || defaultValue == null || constraint == null) {
      throw new IllegalArgumentException("setting '" + name + "' needs a type, default and rule");
    }
    if (doc == null || doc.isBlank() || doc.contains("\n")) {
      throw new IllegalArgumentException("setting '" + name + "' needs a one-line doc");
    }
    if (!type.valueClass().isInstance(defaultValue)) {
      throw new IllegalArgumentException("default of setting '" + name + "' is not a "
          + type.valueClass().getSimpleName());
    }
    if (!constraint.accepts(defaultValue)) {
      throw new IllegalArgumentException("default " + type.format(defaultValue) + " of setting '"
          + name + "' breaks its own rule: " + constraint.expected());
    }
  }

  public static Setting<Integer> ofInt(
      String name, int defaultValue, Constraint<? super Integer> constraint, String doc) {
    return new Setting<>(name, SettingType.INT, defaultValue, constraint, doc);
  }

  public static Setting<Long> ofLong(
      String name, long defaultValue, Constraint<? super Long> constraint, String doc) {
    return new Setting<>(name, SettingType.LONG, defaultValue, constraint, doc);
  }

  public static Setting<Boolean> ofBoolean(String name, boolean defaultValue, String doc) {
    return new Setting<>(name, SettingType.BOOLEAN, defaultValue, Constraint.any(), doc);
  }

  public static Setting<String> ofString(
      String name, String defaultValue, Constraint<? super String> constraint, String doc) {
    return new Setting<>(name, SettingType.STRING, defaultValue, constraint, doc);
  }

  public static Setting<Duration> ofDuration(
      String name, Duration defaultValue, Constraint<? super Duration> constraint, String doc) {
    return new Setting<>(name, SettingType.DURATION, defaultValue, constraint, doc);
  }

  public static Setting<ByteSize> ofByteSize(
      String name, ByteSize defaultValue, Constraint<? super ByteSize> constraint, String doc) {
    return new Setting<>(name, SettingType.BYTE_SIZE, defaultValue, constraint, doc);
  }

  public static Setting<HostPort> ofAddress(String name, HostPort defaultValue, String doc) {
    return new Setting<>(name, SettingType.ADDRESS, defaultValue, Constraint.any(), doc);
  }

  public static Setting<Path> ofPath(String name, Path defaultValue, String doc) {
    return new Setting<>(name, SettingType.PATH, defaultValue, Constraint.any(), doc);
  }

  /** The environment variable that overrides this setting: dots and dashes become {@code _}. */
  public String envVar() {
    return envVarFor(name);
  }

  static String envVarFor(String name) {
    return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** What a valid value looks like: "an integer, at least 2". */
  public String expected() {
    return constraint.isAny() ? type.expected() : type.expected() + ", " + constraint.expected();
  }

  /**
   * Parses and checks one value from a source.
   *
   * @throws IllegalArgumentException whose message completes "expected ..."
   */
  T parse(String text) {
    T value;
    try {
      value = type.parse(text);
    } catch (IllegalArgumentException e) {
      // A specific syntax hint (from the type) plus the rule, if any, tells the whole story.
      String why = e.getMessage();
      throw new IllegalArgumentException(
          constraint.isAny() ? why : why + ", " + constraint.expected(), e);
    }
    if (!constraint.accepts(value)) {
      throw new IllegalArgumentException(expected());
    }
    return value;
  }

  /** The default as a user would write it. */
  public String defaultText() {
    return type.format(defaultValue);
  }
}
