package io.flotilla.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsRegistryTest {
  private static final Setting<Integer> A =
      Setting.ofInt("raft.election-ticks", 10, Constraint.between(2, 1000), "Election timeout.");
  private static final Setting<Duration> B = Setting.ofDuration("raft.tick-interval",
      Duration.ofMillis(100), Constraint.any(), "Time of one tick.");

  @Test
  void modulesContributeAndTheListingIsSortedAndDocumented() {
    SettingsRegistry registry =
        SettingsRegistry.builder().addAll(List.of(B)).add(A).build();
    assertEquals(List.of(A, B), registry.settings());
    assertEquals("""
        raft.election-ticks = 10
            Election timeout.
            int: an integer, from 2 to 1000
            env: FLOTILLA_RAFT_ELECTION_TICKS
        raft.tick-interval = 100ms
            Time of one tick.
            duration: %s
            env: FLOTILLA_RAFT_TICK_INTERVAL
        """.formatted(Durations.EXPECTED), registry.describe());
  }

  @Test
  void findsAndSuggests() {
    SettingsRegistry registry = SettingsRegistry.of(A, B);
    assertEquals(Optional.of(A), registry.find("raft.election-ticks"));
    assertEquals(Optional.empty(), registry.find("raft.eleciton-ticks"));
    assertEquals(Optional.of("raft.election-ticks"), registry.suggest("raft.eleciton-ticks"));
    assertTrue(registry.contains(A));
    assertFalse(registry.contains(
        Setting.ofInt("raft.election-ticks", 10, Constraint.any(), "Another one.")));
  }

  @Test
  void duplicateNamesAreRefused() {
    Setting<Integer> again = Setting.ofInt("raft.election-ticks", 3, Constraint.any(), "Dup.");
    var e = assertThrows(IllegalArgumentException.class, () -> SettingsRegistry.of(A, again));
    assertEquals("setting 'raft.election-ticks' is contributed twice", e.getMessage());
  }

  @Test
  void collidingEnvironmentVariablesAreRefused() {
    Setting<Integer> x = Setting.ofInt("a.b-c", 1, Constraint.any(), "x");
    Setting<Integer> y = Setting.ofInt("a-b.c", 1, Constraint.any(), "y");
    var e = assertThrows(IllegalArgumentException.class, () -> SettingsRegistry.of(x, y));
    assertEquals("settings 'a.b-c' and 'a-b.c' would share environment variable FLOTILLA_A_B_C",
        e.getMessage());
  }

  @Test
  void badDeclarationsFailAtOnce() {
    assertThrows(IllegalArgumentException.class,
        () -> Setting.ofInt("Raft.Ticks", 1, Constraint.any(), "x"));
    assertThrows(IllegalArgumentException.class,
        () -> Setting.ofInt("ticks", 1, Constraint.any(), "x"));
    assertThrows(IllegalArgumentException.class,
        () -> Setting.ofInt("raft..ticks", 1, Constraint.any(), "x"));
    assertThrows(IllegalArgumentException.class,
        () -> Setting.ofInt("raft.ticks", 1, Constraint.any(), "two\nlines"));
    var e = assertThrows(IllegalArgumentException.class,
        () -> Setting.ofInt("raft.ticks", 1, Constraint.atLeast(2), "x"));
    assertEquals("default 1 of setting 'raft.ticks' breaks its own rule: at least 2",
        e.getMessage());
  }

  @Test
  void settingsKnowTheirEnvironmentVariable() {
    assertEquals("FLOTILLA_RAFT_ELECTION_TICKS", A.envVar());
    assertEquals("an integer, from 2 to 1000", A.expected());
  }
}
