package io.flotilla.placement.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioParserTest {
  private static Scenario parse(String... lines) {
    return ScenarioParser.parse("test.txt", "test", List.of(lines));
  }

  private static String error(String... lines) {
    return assertThrows(IllegalArgumentException.class, () -> parse(lines)).getMessage();
  }

  @Test
  void readsDirectivesUnitsAndEvents() {
    Scenario s = parse("# a comment", "name demo", "stores 5", "ranges 100 size 32MiB",
        "load writes 2000 skew 0.9", "set store-dead-after 2m", "rounds 50",
        "kill-store 3 at round 4", "drop-data 40%", "expect converged within 20 rounds",
        "expect moves at most 1.5x minimum");
    assertEquals("demo", s.name());
    assertEquals(32L << 20, s.rangeBytes());
    assertEquals(120_000, s.settings().storeDeadAfterMillis());
    assertEquals(List.of(new SimEvent.KillStore(4, 3), new SimEvent.DropData(0, 0.4)),
        s.events());
    assertEquals(4, s.lastEventRound());
    assertEquals(20, s.convergeWithinRounds());
    assertEquals(1.5, s.maxMovesOverMinimum());
  }

  @Test
  void errorsNameTheFileTheLineAndWhatWasExpected() {
    assertEquals("test.txt:2: expected 'ranges <count> size <size>' (line: 'ranges 100')",
        error("stores 5", "ranges 100"));
    assertEquals("test.txt:3: unknown directive 'explode'; expected one of name, stores, ranges,"
        + " load, rounds, set, add-stores, kill-store, decommission, drain, hot-range,"
        + " drop-data, expect (line: 'explode 3')", error("stores 5",
        "ranges 1 size 1MiB", "explode 3"));
    assertEquals("test.txt:2: unknown placement setting 'replica'; known: "
        + String.join(", ", io.flotilla.placement.model.PlacementSettings.NAMES)
        + " (line: 'set replica 3')", error("stores 5", "set replica 3"));
    // Values are checked together once the file is read: one setting's bound may depend on
    // another set on a later line.
    assertEquals("test.txt: placement setting 'replicas' must be at most 7, got 9",
        error("stores 5", "ranges 1 size 1MiB", "set replicas 9"));
    assertEquals("test.txt: missing the 'stores <count>' line", error("ranges 1 size 1MiB"));
  }
}
