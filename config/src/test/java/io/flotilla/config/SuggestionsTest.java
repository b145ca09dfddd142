package io.flotilla.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
  private static final List<String> NAMES =
      List.of("raft.election-ticks", "raft.heartbeat-ticks", "storage.data-dir");

  @Test
  void transposedLettersCountAsOneEdit() {
    assertEquals(1, Suggestions.distance("eleciton", "election"));
    assertEquals(Optional.of("raft.election-ticks"),
        Suggestions.closest("raft.eleciton-ticks", NAMES));
  }

  @Test
  void missingAndWrongLettersAreFound() {
    assertEquals(Optional.of("raft.heartbeat-ticks"),
        Suggestions.closest("raft.hartbeat-tick", NAMES));
    assertEquals(Optional.of("storage.data-dir"), Suggestions.closest("Storage.Data-Dir", NAMES));
  }

  @Test
  void farOffNamesGetNoSuggestion() {
    assertEquals(Optional.empty(), Suggestions.closest("pgwire.port", NAMES));
    assertEquals(Optional.empty(), Suggestions.closest("x", List.of()));
  }

  @Test
  void tiesGoToTheFirstInSortOrder() {
    assertEquals(Optional.of("--seed"), Suggestions.closest("--seex", List.of("--seen", "--seed")));
  }
}
