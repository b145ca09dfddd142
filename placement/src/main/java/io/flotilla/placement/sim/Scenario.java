package io.flotilla.placement.sim;

import io.flotilla.placement.model.PlacementSettings;
import java.util.List;

/**
 * A simulation to run: the starting cluster, the settings, the events and what to expect.
 * {@link ScenarioParser} reads it from a text file.
 *
 * @param stores stores at the start, ids 1..stores
 * @param ranges ranges at the start, evenly over the keyspace and evenly over the stores
 * @param rangeBytes mean range size; sizes vary uniformly by half either way
 * @param totalWritesPerSec writes spread over the ranges by a Zipf law of exponent
 *     {@code skew} (each range capped at half the split load: hot ranges are events)
 * @param maxRounds rounds after which an unconverged run stops
 * @param convergeWithinRounds expected convergence (0: no expectation)
 * @param maxMovesOverMinimum expected bound on replica moves / lower bound (0: none)
 */
public record Scenario(String name, int stores, int ranges, long rangeBytes,
    double totalWritesPerSec, double skew, PlacementSettings settings, int maxRounds,
    List<SimEvent> events, int convergeWithinRounds, double maxMovesOverMinimum) {

  public Scenario {
    events = List.copyOf(events);
  }

  /** The round of the last event; convergence is counted from there. */
  public int lastEventRound() {
    return events.stream().mapToInt(SimEvent::round).max().orElse(0);
  }
}
