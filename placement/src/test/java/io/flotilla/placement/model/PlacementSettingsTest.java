package io.flotilla.placement.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PlacementSettingsTest {
  @Test
  void defaultsAreValid() {
    PlacementSettings s = PlacementSettings.defaults();
    assertEquals(3, s.replicas());
    assertEquals(5 * 60_000, s.storeDeadAfterMillis());
    assertEquals(64L << 20, s.splitSizeBytes());
  }

  @Test
  void aBadValueIsRefusedNamingTheSettingAndTheValue() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> PlacementSettings.builder().set("max-snapshots-per-store", 0).build());
    assertEquals("placement setting 'max-snapshots-per-store' must be at least 1, got 0",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> PlacementSettings.builder().set("replica-tolerance", 1.5).build());
    assertEquals("placement setting 'replica-tolerance' must be in [0, 1), got 1.5",
        e.getMessage());
  }

  @Test
  void aMergeSizeThatWouldBeSplitAgainIsRefused() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> PlacementSettings.builder().set("merge-size", 40 << 20).build());
    assertEquals("placement setting 'merge-size' must be at most half of split-size"
        + " (67108864 bytes), got 41943040", e.getMessage());
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> PlacementSettings.builder().set("replica", 3));
    assertEquals("unknown placement setting 'replica'; known: "
        + String.join(", ", PlacementSettings.NAMES), e.getMessage());
  }
}
