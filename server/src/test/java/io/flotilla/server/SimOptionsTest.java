package io.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.raft.PlantedBug;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimOptionsTest {
  private static SimOptions parse(String... args) throws UsageException {
    return SimOptions.parse(List.of(args), 4);
  }

  private static String error(String... args) {
    return assertThrows(UsageException.class, () -> parse(args)).getMessage();
  }

  @Test
  void defaults() throws UsageException {
    assertEquals(new SimOptions(OptionalLong.empty(), 1, 200, 2000, 3, Set.of(), 4, false),
        parse());
  }

  @Test
  void everyOptionInBothSpellings() throws UsageException {
    SimOptions o = parse("--seeds", "3", "--first-seed=-10", "--ticks", "500", "--nodes=5",
        "--bug", "vote-without-log-check", "--bug=NO_CONFLICT_TRUNCATION", "--threads", "2",
        "--verbose");
    assertEquals(new SimOptions(OptionalLong.empty(), -10, 3, 500, 5,
        Set.of(PlantedBug.VOTE_WITHOUT_LOG_CHECK, PlantedBug.NO_CONFLICT_TRUNCATION), 2, true), o);
    assertEquals(List.of(-10L, -9L, -8L), o.seedsToRun().boxed().toList());
  }

  @Test
  void seedReplaysExactlyOneSeed() throws UsageException {
    SimOptions o = parse("--seed", "1234567890123");
    assertEquals(OptionalLong.of(1234567890123L), o.replaySeed());
    assertEquals(List.of(1234567890123L), o.seedsToRun().boxed().toList());
    assertTrue(o.describe().startsWith("replay of seed 1234567890123, 3 nodes"), o.describe());
  }

  @Test
  void badNumbersNameTheOption() {
    assertEquals("option '--seeds' expects a whole number from 1 to 2147483647, got 'many'",
        error("--seeds", "many"));
    assertEquals("option '--seeds' expects a whole number from 1 to 2147483647, got '0'",
        error("--seeds=0"));
    assertEquals("option '--ticks' expects a whole number from 1 to 2147483647, got '1e3'",
        error("--ticks", "1e3"));
    assertEquals("option '--seed' expects a whole number, got '12x'", error("--seed", "12x"));
    assertEquals("option '--threads' expects a whole number from 1 to 1024, got '-1'",
        error("--threads", "-1"));
    assertEquals("option '--nodes' expects 3 or 5, got '4'", error("--nodes", "4"));
  }

  @Test
  void unknownOptionsGetASuggestion() {
    assertEquals("unknown option '--sedes'; did you mean '--seeds'?", error("--sedes", "3"));
    assertEquals("unknown option '--frobnicate'", error("--frobnicate"));
  }

  @Test
  void unknownBugListsTheKnownOnes() {
    String message = error("--bug", "vote-without-log-chek");
    assertTrue(message.startsWith("option '--bug' expects one of "
        + "commit-previous-term-by-counting, vote-without-log-check, no-conflict-truncation,"
        + " got 'vote-without-log-chek'; did you mean 'vote-without-log-check'?"), message);
  }

  @Test
  void malformedLinesAreRefused() {
    assertEquals("option '--seeds' needs a value", error("--seeds"));
    assertEquals("option '--seeds' needs a value", error("--seeds", "--verbose"));
    assertEquals("option '--verbose' takes no value, got '--verbose=yes'",
        error("--verbose=yes"));
    assertEquals("unexpected argument '3'", error("3"));
    assertEquals("unexpected argument '-v'", error("-v"));
    assertEquals("option '--seeds' is given more than once", error("--seeds", "1", "--seeds=2"));
  }

  @Test
  void seedAndRangeDoNotMix() {
    assertEquals("option '--seed' replays one seed and cannot be combined with '--seeds'",
        error("--seeds", "5", "--seed", "7"));
    assertEquals("option '--seed' replays one seed and cannot be combined with '--first-seed'",
        error("--seed", "7", "--first-seed", "3"));
  }

  @Test
  void rangeMayNotRunPastTheLargestSeed() {
    assertTrue(error("--first-seed", String.valueOf(Long.MAX_VALUE), "--seeds", "2")
        .startsWith("option '--first-seed'"));
    assertFalse(parseOk("--first-seed", String.valueOf(Long.MAX_VALUE), "--seeds", "1")
        .isEmpty());
  }

  private static String parseOk(String... args) {
    try {
      return parse(args).describe();
    } catch (UsageException e) {
      throw new AssertionError(e);
    }
  }
}
