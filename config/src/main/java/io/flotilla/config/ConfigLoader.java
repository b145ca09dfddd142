package io.flotilla.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Loads a {@link Config} from up to three sources, each overriding the ones before it:
 *
 * <ol>
 *   <li>a file of {@code key = value} lines; {@code #} starts a comment line, blank lines are
 *       ignored, values are taken verbatim after trimming, and a key may appear only once;
 *   <li>environment variables named after the key ({@code raft.election-ticks} is
 *       {@code FLOTILLA_RAFT_ELECTION_TICKS}); the map is passed in so that tests never read
 *       the real environment. Every {@code FLOTILLA_*} variable must name a setting;
 *   <li>command-line overrides, each the {@code key=value} text of one {@code --set}; a later
 *       one wins over an earlier one for the same key.
 * </ol>
 *
 * <p>Every value from every source is parsed and checked, even one that a later source
 * overrides, and all problems are reported together in one {@link ConfigException}.
 *
 * <p>Not thread-safe; inputs are copied when given, so changing them afterwards has no effect.
 */
public final class ConfigLoader {
  private final SettingsRegistry registry;
  private Path file;
  private Map<String, String> environment = Map.of();
  private List<String> overrides = List.of();

  ConfigLoader(SettingsRegistry registry) {
    this.registry = registry;
  }

  /** Reads this file first; it must exist. */
  public ConfigLoader file(Path file) {
    this.file = file;
    return this;
  }

  /** Usually {@code System.getenv()}; only {@code FLOTILLA_*} variables are looked at. */
  public ConfigLoader environment(Map<String, String> environment) {
    this.environment = new TreeMap<>(environment);
    return this;
  }

  /** The {@code key=value} arguments of {@code --set}, in command-line order. */
  public ConfigLoader overrides(List<String> keyValues) {
    this.overrides = List.copyOf(keyValues);
    return this;
  }

  /**
   * Loads and validates everything.
   *
   * @throws ConfigException listing every problem found
   */
  public Config load() {
    Run run = new Run();
    for (Setting<?> s : registry.settings()) {
      run.values.put(s.name(), s.defaultValue());
      run.sources.put(s.name(), Source.defaultValue());
    }
    if (file != null) {
      readFile(run);
    }
    readEnvironment(run);
    readOverrides(run);
    if (!run.problems.isEmpty()) {
      throw new ConfigException(run.problems);
    }
    return new Config(registry, run.values, run.sources);
  }

  /** The state of one {@link #load()}, so that the loader itself keeps no results. */
  private static final class Run {
    final Map<String, Object> values = new HashMap<>();
    final Map<String, Source> sources = new HashMap<>();
    final List<ConfigException.Problem> problems = new ArrayList<>();

    void problem(String key, Source source, String message) {
      problems.add(new ConfigException.Problem(key, source, message));
    }
  }

  private void readFile(Run run) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      String where = file.isAbsolute() ? "" : " (looked for " + file.toAbsolutePath() + ")";
      run.problem(null, Source.file(file), "config file " + file + " does not exist" + where);
      return;
    } catch (CharacterCodingException e) {
      run.problem(null, Source.file(file), "config file " + file + " is not valid UTF-8");
      return;
    } catch (IOException e) {
      run.problem(null, Source.file(file), "cannot read config file " + file + ": " + e);
      return;
    }
    Map<String, Source> seen = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      Source source = Source.file(file, i + 1);
      String line = (i == 0 ? stripByteOrderMark(lines.get(i)) : lines.get(i)).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        run.problem(null, source, "expected 'key = value' " + source.describe()
            + ", got '" + line + "'");
        continue;
      }
      String key = line.substring(0, eq).strip();
      if (key.isEmpty()) {
        run.problem(null, source, "missing setting name before '=' " + source.describe());
        continue;
      }
      Source earlier = seen.putIfAbsent(key, source);
      if (earlier != null) {
        run.problem(key, source, "setting '" + key + "' is set twice, " + earlier.describe()
            + " and " + source.describe());
        continue;
      }
      assign(run, key, line.substring(eq + 1).strip(), source);
    }
  }

  private void readEnvironment(Run run) {
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String variable = e.getKey();
      if (!variable.startsWith(Setting.ENV_PREFIX)) {
        continue;
      }
      Source source = Source.environment(variable);
      Optional<Setting<?>> setting = registry.findByEnvVar(variable);
      if (setting.isEmpty()) {
        String hint = registry.suggestEnvVar(variable)
            .map(v -> "; did you mean " + v + " ('" + registry.findByEnvVar(v).orElseThrow().name()
                + "')?")
            .orElse("; " + Setting.ENV_PREFIX + "* variables are reserved for settings");
        run.problem(variable, source, "unknown setting " + source.describe() + hint);
        continue;
      }
      assign(run, setting.get().name(), e.getValue().strip(), source);
    }
  }

  private void readOverrides(Run run) {
    for (String keyValue : overrides) {
      Source source = Source.commandLine(keyValue);
      int eq = keyValue.indexOf('=');
      if (eq <= 0 || keyValue.substring(0, eq).isBlank()) {
        run.problem(null, source, "expected key=value after --set, got '" + keyValue + "'");
        continue;
      }
      assign(run, keyValue.substring(0, eq).strip(), keyValue.substring(eq + 1).strip(), source);
    }
  }

  /** Parses, checks and records one value, or records why it cannot. */
  private void assign(Run run, String key, String text, Source source) {
    Optional<Setting<?>> setting = registry.find(key);
    if (setting.isEmpty()) {
      String hint = registry.suggest(key).map(s -> "; did you mean '" + s + "'?").orElse("");
      run.problem(key, source, "unknown setting '" + key + "' " + source.describe() + hint);
      return;
    }
    try {
      run.values.put(key, setting.get().parse(text));
      run.sources.put(key, source);
    } catch (IllegalArgumentException e) {
      run.problem(key, source, "invalid value '" + text + "' for '" + key + "' "
          + source.describe() + ": expected " + e.getMessage());
    }
  }

  private static String stripByteOrderMark(String line) {
    return line.startsWith("\uFEFF") ? line.substring(1) : line;
  }
}
