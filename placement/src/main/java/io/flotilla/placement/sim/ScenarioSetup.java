package io.flotilla.placement.sim;

import io.flotilla.placement.model.StoreState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/** Builds a scenario's starting cluster and applies its events. */
final class ScenarioSetup {
  private ScenarioSetup() {
  }

  /**
   * Stores 1..n; ranges of equal key spans, placed by dealing stores from a deck reshuffled
   * each time it runs out (so counts differ by at most one and neighbours rarely share all
   * voters), the first voter leading; sizes uniform within half the mean either way (kept
   * below the split size); writes by a Zipf law over a shuffled ranking.
   */
  static void build(Scenario s, SimCluster cluster, SplittableRandom random) {
    for (int i = 0; i < s.stores(); i++) {
      cluster.addStore(0);
    }
    long span = SimRange.KEYSPACE_END / s.ranges();
    Deck deck = new Deck(new ArrayList<>(cluster.stores.keySet()), random);
    double[] writes = zipf(s, random);
    long maxBytes = s.settings().splitSizeBytes() * 9 / 10;
    for (int i = 0; i < s.ranges(); i++) {
      long end = i == s.ranges() - 1 ? SimRange.KEYSPACE_END : (i + 1) * span;
      SimRange r = cluster.addRange(i * span, end);
      int replicas = Math.min(s.settings().replicas(), s.stores());
      while (r.voters.size() < replicas) {
        long store = deck.next();
        if (!r.voters.contains(store)) {
          r.voters.add(store);
        }
      }
      r.leader = r.voters.get(0);
      r.bytes = Math.min(maxBytes, (long) (s.rangeBytes() * (0.5 + random.nextDouble())));
      r.writesPerSec = Math.min(writes[i], s.settings().splitWritesPerSec() / 2);
    }
  }

  private static double[] zipf(Scenario s, SplittableRandom random) {
    double[] weights = new double[s.ranges()];
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      weights[i] = 1 / Math.pow(i + 1, s.skew());
      sum += weights[i];
    }
    List<Integer> ranks = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      ranks.add(i);
    }
    Collections.shuffle(ranks, new Random(random.nextLong()));
    double[] writes = new double[weights.length];
    for (int i = 0; i < weights.length; i++) {
      writes[i] = s.totalWritesPerSec() * weights[ranks.get(i)] / sum;
    }
    return writes;
  }

  static void apply(SimEvent event, SimCluster cluster, long nowMillis) {
    switch (event) {
      case SimEvent.AddStores a -> {
        for (int i = 0; i < a.count(); i++) {
          cluster.addStore(nowMillis);
        }
      }
      case SimEvent.KillStore k -> store(cluster, k.storeId(), event).alive = false;
      case SimEvent.Decommission d ->
          store(cluster, d.storeId(), event).state = StoreState.DECOMMISSIONING;
      case SimEvent.Drain d -> store(cluster, d.storeId(), event).state = StoreState.DRAINING;
      case SimEvent.HotRange h -> {
        SimRange r = cluster.byId.get(h.rangeId());
        if (r == null) {
          throw new IllegalArgumentException(event + ": there is no range " + h.rangeId()
              + " at that round");
        }
        r.writesPerSec = h.writesPerSec();
        r.changed();
      }
      case SimEvent.DropData d -> {
        int n = (int) Math.round(cluster.byStart.size() * d.fraction());
        for (SimRange r : cluster.byStart.values().stream().limit(n).toList()) {
          r.bytes = 0;
          r.writesPerSec = 0;
          r.changed();
        }
      }
    }
  }

  private static SimStore store(SimCluster cluster, long id, SimEvent event) {
    SimStore s = cluster.stores.get(id);
    if (s == null) {
      throw new IllegalArgumentException(event + ": there is no store " + id);
    }
    return s;
  }

  /** Deals store ids in a random order, reshuffling after each pass. */
  private static final class Deck {
    private final List<Long> cards;
    private final Random shuffler;
    private int next;

    Deck(List<Long> cards, SplittableRandom random) {
      this.cards = cards;
      this.shuffler = new Random(random.nextLong());
      Collections.shuffle(cards, shuffler);
    }

    long next() {
      if (next == cards.size()) {
        Collections.shuffle(cards, shuffler);
        next = 0;
      }
      return cards.get(next++);
    }
  }
}
