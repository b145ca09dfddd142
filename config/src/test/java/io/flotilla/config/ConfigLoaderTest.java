package io.flotilla.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading from file, environment and command line: precedence, errors, immutability. */
class ConfigLoaderTest {
  static final Setting<Integer> ELECTION_TICKS = Setting.ofInt("raft.election-ticks", 10,
      Constraint.atLeast(2), "Ticks without a leader before a follower campaigns.");
  static final Setting<Integer> HEARTBEAT_TICKS = Setting.ofInt("raft.heartbeat-ticks", 1,
      Constraint.atLeast(1), "Ticks between a leader's heartbeats.");
  static final Setting<Boolean> PRE_VOTE =
      Setting.ofBoolean("raft.pre-vote", true, "Run a pre-vote round before raising the term.");
  static final Setting<Duration> TICK_INTERVAL = Setting.ofDuration("raft.tick-interval",
      Duration.ofMillis(100), Constraint.atLeast(Duration.ofMillis(1)), "Time of one tick.");
  static final Setting<ByteSize> MAX_MESSAGE_SIZE = Setting.ofByteSize("raft.max-message-size",
      ByteSize.ofMebibytes(1), Constraint.atLeast(ByteSize.ofKibibytes(1)),
      "Upper bound on the entry bytes in one append.");
  static final Setting<HostPort> LISTEN = Setting.ofAddress("node.listen-address",
      new HostPort("localhost", 26257), "Address for peers and clients.");
  static final Setting<Path> DATA_DIR =
      Setting.ofPath("storage.data-dir", Path.of("data"), "Directory of the store.");
  static final Setting<String> NAME = Setting.ofString("node.name", "node-1",
      Constraint.notEmpty(), "Human-readable name of this node.");
  static final Setting<Long> SEED =
      Setting.ofLong("sim.seed", 1L, Constraint.any(), "Seed of the simulation.");

  static final SettingsRegistry REGISTRY = SettingsRegistry.of(ELECTION_TICKS, HEARTBEAT_TICKS,
      PRE_VOTE, TICK_INTERVAL, MAX_MESSAGE_SIZE, LISTEN, DATA_DIR, NAME, SEED);

  @TempDir Path dir;

  private Path write(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, List.of(lines), StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void defaultsWhenNothingIsSet() {
    Config config = Config.defaults(REGISTRY);
    assertEquals(10, config.get(ELECTION_TICKS));
    assertEquals(Duration.ofMillis(100), config.get(TICK_INTERVAL));
    assertEquals(Source.defaultValue(), config.sourceOf(ELECTION_TICKS));
  }

  @Test
  void fileSetsEveryType() throws IOException {
    Path file = write("flotilla.conf",
        "# a comment",
        "",
        "raft.election-ticks = 20",
        "  raft.pre-vote=false  ",
        "raft.tick-interval = 250ms",
        "raft.max-message-size = 64MiB",
        "node.listen-address = [::1]:5432",
        "storage.data-dir = /var/lib/flotilla",
        "node.name = east # not a comment",
        "sim.seed = -3");
    Config config = Config.loader(REGISTRY).file(file).load();
    assertEquals(20, config.get(ELECTION_TICKS));
    assertEquals(false, config.get(PRE_VOTE));
    assertEquals(Duration.ofMillis(250), config.get(TICK_INTERVAL));
    assertEquals(ByteSize.ofMebibytes(64), config.get(MAX_MESSAGE_SIZE));
    assertEquals(new HostPort("::1", 5432), config.get(LISTEN));
    assertEquals(Path.of("/var/lib/flotilla"), config.get(DATA_DIR));
    assertEquals("east # not a comment", config.get(NAME));
    assertEquals(-3L, config.get(SEED));
    assertEquals(Source.file(file, 3), config.sourceOf(ELECTION_TICKS));
    assertEquals(1, config.get(HEARTBEAT_TICKS), "unset keys keep their default");
  }

  @Test
  void environmentBeatsFileAndCommandLineBeatsBoth() throws IOException {
    Path file = write("flotilla.conf",
        "raft.election-ticks = 20",
        "raft.heartbeat-ticks = 2",
        "raft.tick-interval = 1s");
    Config config = Config.loader(REGISTRY)
        .file(file)
        .environment(Map.of(
            "FLOTILLA_RAFT_ELECTION_TICKS", "30",
            "FLOTILLA_RAFT_HEARTBEAT_TICKS", "3",
            "PATH", "/usr/bin",
            "HOME", "/root"))
        .overrides(List.of("raft.election-ticks=40", "raft.election-ticks = 50"))
        .load();
    assertEquals(50, config.get(ELECTION_TICKS), "cli beats env and file; last --set wins");
    assertEquals(3, config.get(HEARTBEAT_TICKS), "env beats file");
    assertEquals(Duration.ofSeconds(1), config.get(TICK_INTERVAL), "file beats default");
    assertEquals(Source.commandLine("raft.election-ticks = 50"), config.sourceOf(ELECTION_TICKS));
    assertEquals(Source.environment("FLOTILLA_RAFT_HEARTBEAT_TICKS"),
        config.sourceOf(HEARTBEAT_TICKS));
    assertEquals(Source.file(file, 3), config.sourceOf(TICK_INTERVAL));
  }

  @Test
  void unknownKeyInFileSuggestsTheClosestName() {
    Path file = Path.of("flotilla.conf");
    var e = assertThrows(ConfigException.class, () -> Config.loader(REGISTRY)
        .file(writeUnchecked(file, "", "", "raft.eleciton-ticks = 5")).load());
    String where = dir.resolve(file) + ":3";
    assertEquals("unknown setting 'raft.eleciton-ticks' at " + where
        + "; did you mean 'raft.election-ticks'?", e.getMessage());
    assertEquals("raft.eleciton-ticks", e.key());
    assertEquals(Source.Kind.FILE, e.source().kind());
    assertEquals(where, e.source().location());
  }

  @Test
  void unknownKeyOnCommandLineWithoutCloseMatchHasNoSuggestion() {
    var e = assertThrows(ConfigException.class,
        () -> Config.loader(REGISTRY).overrides(List.of("pgwire.port=5432")).load());
    assertEquals("unknown setting 'pgwire.port' on the command line (--set pgwire.port=5432)",
        e.getMessage());
  }

  @Test
  void unknownFlotillaEnvironmentVariableSuggestsTheClosestVariable() {
    var e = assertThrows(ConfigException.class, () -> Config.loader(REGISTRY)
        .environment(Map.of("FLOTILLA_RAFT_ELECTON_TICKS", "5")).load());
    assertEquals("unknown setting in environment variable FLOTILLA_RAFT_ELECTON_TICKS; did you"
        + " mean FLOTILLA_RAFT_ELECTION_TICKS ('raft.election-ticks')?", e.getMessage());
    assertEquals("FLOTILLA_RAFT_ELECTON_TICKS", e.key());
  }

  @Test
  void badValueNamesKeySourceValueAndExpectation() throws IOException {
    Path file = write("flotilla.conf", "raft.election-ticks = 1");
    var e = assertThrows(ConfigException.class,
        () -> Config.loader(REGISTRY).file(file).load());
    assertEquals("invalid value '1' for 'raft.election-ticks' at " + file
        + ":1: expected an integer, at least 2", e.getMessage());

    e = assertThrows(ConfigException.class, () -> Config.loader(REGISTRY)
        .environment(Map.of("FLOTILLA_RAFT_TICK_INTERVAL", "5")).load());
    assertEquals("invalid value '5' for 'raft.tick-interval' in environment variable"
        + " FLOTILLA_RAFT_TICK_INTERVAL: expected " + Durations.EXPECTED + ", at least 1ms",
        e.getMessage());

    e = assertThrows(ConfigException.class, () -> Config.loader(REGISTRY)
        .overrides(List.of("raft.pre-vote=yes")).load());
    assertEquals("invalid value 'yes' for 'raft.pre-vote' on the command line"
        + " (--set raft.pre-vote=yes): expected true or false", e.getMessage());
    assertEquals("raft.pre-vote", e.key());
    assertEquals(Source.Kind.COMMAND_LINE, e.source().kind());
  }

  @Test
  void everyProblemIsReportedAtOnce() throws IOException {
    Path file = write("flotilla.conf",
        "raft.eleciton-ticks = 5",
        "raft.heartbeat-ticks = zero",
        "this line has no equals sign",
        "raft.max-message-size = 64MB",
        "raft.pre-vote = true",
        "raft.pre-vote = false",
        "= 5");
    var e = assertThrows(ConfigException.class, () -> Config.loader(REGISTRY)
        .file(file)
        .environment(Map.of("FLOTILLA_NODE_LISTEN_ADDRESS", "localhost"))
        .overrides(List.of("raft.tick-interval=fast", "novalue"))
        .load());
    List<String> keys = new ArrayList<>();
    e.problems().forEach(p -> keys.add(p.key()));
    // Arrays.asList, because List.of refuses the null keys of problems about no one setting.
    assertEquals(Arrays.asList("raft.eleciton-ticks", "raft.heartbeat-ticks", null,
        "raft.max-message-size", "raft.pre-vote", null, "node.listen-address",
        "raft.tick-interval", null), keys);
    String message = e.getMessage();
    assertTrue(message.startsWith("9 problems in the configuration:\n  - unknown setting"),
        message);
    assertTrue(message.contains("expected 'key = value' at " + file
        + ":3, got 'this line has no equals sign'"), message);
    assertTrue(message.contains("setting 'raft.pre-vote' is set twice, at " + file + ":5 and at "
        + file + ":6"), message);
    assertTrue(message.contains("missing setting name before '=' at " + file + ":7"), message);
    assertTrue(message.contains("(did you mean MiB?)"), message);
    assertTrue(message.endsWith("expected key=value after --set, got 'novalue'"), message);
    assertEquals(9, message.lines().count() - 1);
  }

  @Test
  void valuesOverriddenLaterAreStillChecked() throws IOException {
    Path file = write("flotilla.conf", "raft.election-ticks = many");
    var e = assertThrows(ConfigException.class, () -> Config.loader(REGISTRY)
        .file(file).overrides(List.of("raft.election-ticks=10")).load());
    assertEquals("raft.election-ticks", e.key());
    assertEquals(Source.file(file, 1), e.source());
  }

  @Test
  void missingFileNamesThePath() {
    Path file = dir.resolve("nope.conf");
    var e = assertThrows(ConfigException.class, () -> Config.loader(REGISTRY).file(file).load());
    assertEquals("config file " + file + " does not exist", e.getMessage());
    assertNull(e.key());
    assertEquals(Source.file(file), e.source());
  }

  @Test
  void missingRelativeFileAlsoNamesWhereItLooked() {
    Path file = Path.of("no-such-dir-for-flotilla", "flotilla.conf");
    var e = assertThrows(ConfigException.class, () -> Config.loader(REGISTRY).file(file).load());
    assertEquals("config file " + file + " does not exist (looked for " + file.toAbsolutePath()
        + ")", e.getMessage());
  }

  @Test
  void missingFileIsReportedWithTheOtherProblems() {
    var e = assertThrows(ConfigException.class, () -> Config.loader(REGISTRY)
        .file(dir.resolve("nope.conf")).overrides(List.of("raft.election-ticks=0")).load());
    assertEquals(2, e.problems().size());
  }

  @Test
  void byteOrderMarkAtTheStartOfAFileIsIgnored() throws IOException {
    Path file = write("bom.conf", "\uFEFFraft.election-ticks = 12");
    assertEquals(12, Config.loader(REGISTRY).file(file).load().get(ELECTION_TICKS));
  }

  @Test
  void configIsImmutableAndIgnoresLaterChangesToItsInputs() {
    Map<String, String> env = new HashMap<>(Map.of("FLOTILLA_RAFT_ELECTION_TICKS", "30"));
    List<String> sets = new ArrayList<>(List.of("raft.heartbeat-ticks=4"));
    ConfigLoader loader = Config.loader(REGISTRY).environment(env).overrides(sets);
    env.put("FLOTILLA_RAFT_ELECTION_TICKS", "99");
    sets.add("raft.heartbeat-ticks=5");
    Config config = loader.load();
    env.clear();
    sets.clear();
    assertEquals(30, config.get(ELECTION_TICKS));
    assertEquals(4, config.get(HEARTBEAT_TICKS));
    // No setter exists; the only way to change a value is to load a new Config.
    for (var method : Config.class.getMethods()) {
      assertTrue(!method.getName().startsWith("set") && !method.getName().startsWith("put"),
          method.toString());
    }
    for (var field : Config.class.getDeclaredFields()) {
      assertTrue(Modifier.isFinal(field.getModifiers()), field.toString());
    }
  }

  @Test
  void eachLoadIsIndependent() {
    ConfigLoader loader = Config.loader(REGISTRY).overrides(List.of("raft.election-ticks=7"));
    Config first = loader.load();
    Config second = loader.overrides(List.of()).load();
    assertEquals(7, first.get(ELECTION_TICKS));
    assertEquals(10, second.get(ELECTION_TICKS));
  }

  @Test
  void readingAnUnregisteredSettingIsAWiringBug() {
    Setting<Integer> stranger = Setting.ofInt("raft.election-ticks", 10, Constraint.any(), "x");
    Config config = Config.defaults(REGISTRY);
    assertThrows(IllegalArgumentException.class, () -> config.get(stranger));
  }

  @Test
  void describeShowsEffectiveValuesAndTheirSources() {
    Config config = Config.loader(REGISTRY).overrides(List.of("raft.tick-interval=5s")).load();
    String text = config.describe();
    assertTrue(text.contains("raft.tick-interval = 5s    # --set raft.tick-interval=5s\n"), text);
    assertTrue(text.contains("raft.election-ticks = 10    # default\n"), text);
  }

  private Path writeUnchecked(Path relative, String... lines) {
    try {
      return write(relative.toString(), lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
