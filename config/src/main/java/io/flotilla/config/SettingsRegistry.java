package io.flotilla.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The catalog of every setting the process knows. Each module declares its settings as
 * constants and contributes them (typically a {@code static List<Setting<?>> all()} per module)
 * when the node is wired; loading checks every key against this catalog, which is what lets a
 * typo fail with a suggestion instead of being silently ignored.
 *
 * <p>Immutable. Two settings may not share a name, nor an environment variable (dots and dashes
 * both map to {@code _}, so {@code a.b-c} and {@code a-b.c} would collide).
 */
public final class SettingsRegistry {
  private final Map<String, Setting<?>> byName;
  private final Map<String, Setting<?>> byEnvVar;

  private SettingsRegistry(Collection<? extends Setting<?>> settings) {
    Map<String, Setting<?>> names = new TreeMap<>();
    Map<String, Setting<?>> envVars = new TreeMap<>();
    for (Setting<?> s : settings) {
      Setting<?> sameName = names.putIfAbsent(s.name(), s);
      if (sameName != null) {
        throw new IllegalArgumentException("setting '" + s.name() + "' is contributed twice");
      }
      Setting<?> sameEnv = envVars.putIfAbsent(s.envVar(), s);
      if (sameEnv != null) {
        throw new IllegalArgumentException("settings '" + sameEnv.name() + "' and '" + s.name()
            + "' would share environment variable " + s.envVar());
      }
    }
    this.byName = Collections.unmodifiableMap(names);
    this.byEnvVar = Collections.unmodifiableMap(envVars);
  }

  public static SettingsRegistry of(Collection<? extends Setting<?>> settings) {
    return new SettingsRegistry(settings);
  }

  public static SettingsRegistry of(Setting<?>... settings) {
    return new SettingsRegistry(Arrays.asList(settings));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects the contributions of several modules, then freezes them into a registry. */
  public static final class Builder {
    private final List<Setting<?>> settings = new ArrayList<>();

    private Builder() {}

    public Builder add(Setting<?>... more) {
      settings.addAll(Arrays.asList(more));
      return this;
    }

    public Builder addAll(Collection<? extends Setting<?>> more) {
      settings.addAll(more);
      return this;
    }

    public SettingsRegistry build() {
      return new SettingsRegistry(settings);
    }
  }

  /** All settings, sorted by name. */
  public List<Setting<?>> settings() {
    return List.copyOf(byName.values());
  }

  public Optional<Setting<?>> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  Optional<Setting<?>> findByEnvVar(String variable) {
    return Optional.ofNullable(byEnvVar.get(variable));
  }

  /** Whether {@code setting} itself (not just a setting of that name) is in this catalog. */
  public boolean contains(Setting<?> setting) {
    return setting.equals(byName.get(setting.name()));
  }

  /** The registered name closest to a misspelt one. */
  public Optional<String> suggest(String unknownName) {
    return Suggestions.closest(unknownName, byName.keySet());
  }

  /** The registered environment variable closest to a misspelt one. */
  Optional<String> suggestEnvVar(String unknownVariable) {
    return Suggestions.closest(unknownVariable, byEnvVar.keySet());
  }

  /**
   * A listing of every setting for people: name and default as a config line, then the doc,
   * what values it takes, and its environment variable.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (Setting<?> s : byName.values()) {
      sb.append(s.name()).append(" = ").append(s.defaultText()).append('\n')
          .append("    ").append(s.doc()).append('\n')
          .append("    ").append(s.type().name()).append(": ").append(s.expected()).append('\n')
          .append("    env: ").append(s.envVar()).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "SettingsRegistry" + byName.keySet();
  }
}
