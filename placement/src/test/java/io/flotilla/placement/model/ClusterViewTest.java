package io.flotilla.placement.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.placement.testing.ViewBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
  @Test
  void livenessComesFromTheLastHeartbeat() {
    ClusterView view = new ViewBuilder().up(1).dead(2).store(3, StoreState.DRAINING).build();
    assertTrue(view.isLive(1));
    assertFalse(view.isLive(2));
    assertFalse(view.isLive(99), "an unknown store is dead");
    assertTrue(view.isLive(3));
    assertFalse(view.isTarget(3), "a draining store takes nothing new");
    assertEquals(List.of(1L), view.targetStores());
  }

  @Test
  void talliesCountWhatOperatorsInFlightWillLeave() {
    ViewBuilder b = new ViewBuilder().up(1, 2, 3, 4)
        .range(7, 1, List.of(1L, 2L, 3L)).range(8, 2, List.of(1L, 2L, 3L));
    assertEquals(2, b.build().replicaCount(1));
    InFlight moving = new InFlight(Set.of(7L), Map.of(), 1, Map.of(), Map.of(),
        Map.of(7L, Set.of(2L, 3L, 4L)), Map.of(7L, 2L));
    ClusterView view = b.inFlight(moving).build();
    assertEquals(1, view.replicaCount(1));
    assertEquals(1, view.replicaCount(4));
    assertEquals(0, view.leaderCount(1));
    assertEquals(2, view.leaderCount(2));
    assertEquals(2, view.replicasOn(1).size(), "replicasOn is what is there now");
  }
}
