package io.flotilla.config;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The loaded, validated configuration: one value for every setting of a
 * {@link SettingsRegistry}. Immutable, and every value in it is immutable, so one instance can
 * be shared by all threads and read without checks: a Config that exists is valid.
 *
 * <p>Build one with {@link #loader(SettingsRegistry)} (file, then environment, then command
 * line) or {@link #defaults(SettingsRegistry)}.
 */
public final class Config {
  private final SettingsRegistry registry;
  private final Map<String, Object> values;
  private final Map<String, Source> sources;

  Config(SettingsRegistry registry, Map<String, Object> values, Map<String, Source> sources) {
    this.registry = registry;
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    this.sources = Collections.unmodifiableMap(new TreeMap<>(sources));
  }

  /** Every setting at its default. */
  public static Config defaults(SettingsRegistry registry) {
    return new ConfigLoader(registry).load();
  }

  public static ConfigLoader loader(SettingsRegistry registry) {
    return new ConfigLoader(registry);
  }

  /**
   * The value of {@code setting}.
   *
   * @throws IllegalArgumentException if the setting was never contributed to this registry; that
   *     is a wiring bug, not a user error, hence not a {@link ConfigException}
   */
  public <T> T get(Setting<T> setting) {
    requireRegistered(setting);
    return setting.type().valueClass().cast(values.get(setting.name()));
  }

  /** Where the value of {@code setting} came from. */
  public Source sourceOf(Setting<?> setting) {
    requireRegistered(setting);
    return sources.get(setting.name());
  }

  public SettingsRegistry registry() {
    return registry;
  }

  /**
   * Every effective value as a config line, with where it came from, so that "why is it 5s?"
   * has a one-command answer.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (Setting<?> s : registry.settings()) {
      sb.append(s.name()).append(" = ").append(text(s))
          .append("    # ").append(sources.get(s.name())).append('\n');
    }
    return sb.toString();
  }

  private <T> String text(Setting<T> setting) {
    return setting.type().format(get(setting));
  }

  private void requireRegistered(Setting<?> setting) {
    if (!registry.contains(setting)) {
      throw new IllegalArgumentException(
          "setting '" + setting.name() + "' was not contributed to this configuration's registry");
    }
  }

  @Override
  public String toString() {
    return "Config" + values;
  }
}
