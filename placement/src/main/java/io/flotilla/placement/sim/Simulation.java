package io.flotilla.placement.sim;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.PlacementHistory;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.StoreState;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.OperatorController;
import io.flotilla.placement.operator.Outcome;
import io.flotilla.placement.operator.Step;
import io.flotilla.placement.scheduler.DecommissionProgress;
import io.flotilla.placement.scheduler.Plan;
import io.flotilla.placement.scheduler.RepairScheduler;
import io.flotilla.placement.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs the real scheduler and operators against a {@link SimCluster}, round by round. A round
 * is {@link #ROUND_MILLIS} of simulated time: the scenario's events for the round happen, the
 * steps due take effect, leaders are elected, the quorum invariant is checked, the operators
 * observe the new view, and the scheduler plans against it. Everything random comes from the
 * seed, so a seed replays a run exactly. The run has converged when, after the last event,
 * a round plans nothing, nothing is running and no stopped store is still awaiting repair.
 */
public final class Simulation {
  public static final long ROUND_MILLIS = 10_000;
  /** A step unanswered for this many rounds is asked again, as a driver retries an RPC. */
  private static final int REISSUE_ROUNDS = 3;
  private static final int MAX_LISTED = 20;

  private final Scenario scenario;
  private final long seed;
  private final PlacementSettings settings;
  private final SplittableRandom random;
  private final SimCluster cluster;
  private final PlacementHistory history = new PlacementHistory();
  private final OperatorController controller = new OperatorController(history);
  private final Scheduler scheduler = Scheduler.standard();
  private final Map<Operator, Step> issued = new IdentityHashMap<>();
  private final Map<Operator, Integer> issuedRound = new IdentityHashMap<>();
  private final List<String> quorumViolations = new ArrayList<>();
  private int quorumViolationCount;
  private long minimumMoves;
  private int succeeded;
  private int failed;
  private int timedOut;

  public Simulation(Scenario scenario, long seed) {
    this.scenario = scenario;
    this.seed = seed;
    this.settings = scenario.settings();
    this.random = new SplittableRandom(seed);
    this.cluster = new SimCluster(random.split());
    ScenarioSetup.build(scenario, cluster, random);
  }

  public SimReport run() {
    int startStores = cluster.stores.size();
    int startRanges = cluster.byStart.size();
    int lastEvent = scenario.lastEventRound();
    int round = 0;
    boolean converged = false;
    for (; round <= scenario.maxRounds(); round++) {
      if (round(round) && round >= lastEvent) {
        converged = true;
        break;
      }
    }
    int rounds = Math.min(round, scenario.maxRounds());
    ClusterView end = cluster.view(rounds * ROUND_MILLIS, settings, history);
    SimReport draft = report(startStores, startRanges, converged, rounds, lastEvent, end,
        List.of());
    return report(startStores, startRanges, converged, rounds, lastEvent, end,
        unmet(draft, lastEvent));
  }

  /** Plays one round; returns whether the cluster is quiet at its end. */
  private boolean round(int round) {
    long now = round * ROUND_MILLIS;
    long before = round == 0 ? 0 : -1;
    for (SimEvent e : scenario.events()) {
      if (e.round() == round) {
        if (before < 0) {
          before = LowerBound.replicaMoves(cluster, settings);
        }
        ScenarioSetup.apply(e, cluster, now);
      }
    }
    if (before >= 0) {
      // Only the forced moves the events add: work still pending from earlier events is
      // already counted.
      minimumMoves += Math.max(0, LowerBound.replicaMoves(cluster, settings) - before);
    }
    cluster.applyDue(now);
    cluster.electLeaders();
    cluster.heartbeat(now);
    checkQuorums(round);
    ClusterView view = cluster.view(now, settings, history);
    for (Operator op : controller.observe(view)) {
      count(op.outcome());
      issued.remove(op);
      issuedRound.remove(op);
    }
    view = view.withInFlight(controller.inFlight(view));
    Plan plan = scheduler.schedule(view);
    controller.start(plan.operators(), view);
    issueSteps(round, now);
    for (DecommissionProgress p : plan.decommissions()) {
      if (p.done()) {
        cluster.stores.get(p.storeId()).state = StoreState.DECOMMISSIONED;
      }
    }
    if (round % 100 == 0) {
      history.forgetBefore(now - settings.cooldownMillis());
    }
    return plan.operators().isEmpty() && controller.running().isEmpty() && cluster.idle()
        && !storeAwaitingRepair(now) && plan.decommissions().isEmpty();
  }

  private void issueSteps(int round, long now) {
    for (Operator op : controller.running()) {
      Step step = op.currentStep().orElse(null);
      if (step == null) {
        continue;
      }
      boolean fresh = !step.equals(issued.get(op));
      if (fresh || round - issuedRound.get(op) >= REISSUE_ROUNDS) {
        cluster.submit(step, now);
        issued.put(op, step);
        issuedRound.put(op, round);
      }
    }
  }

  private boolean storeAwaitingRepair(long now) {
    return cluster.stores.values().stream().anyMatch(s -> !s.alive
        && now - s.lastHeartbeatMillis <= settings.storeDeadAfterMillis());
  }

  private void checkQuorums(int round) {
    for (SimRange r : cluster.byStart.values()) {
      if (!cluster.hasLiveQuorum(r)) {
        quorumViolationCount++;
        if (quorumViolations.size() < MAX_LISTED) {
          quorumViolations.add("round " + round + ": range " + r.id + " voters " + r.voters);
        }
      }
    }
  }

  private void count(Outcome outcome) {
    switch (outcome.status()) {
      case SUCCEEDED -> succeeded++;
      case TIMED_OUT -> timedOut++;
      default -> failed++;
    }
  }

  private List<String> unmet(SimReport r, int lastEvent) {
    List<String> unmet = new ArrayList<>();
    if (scenario.convergeWithinRounds() > 0 && (!r.converged()
        || r.roundsAfterLastEvent() > scenario.convergeWithinRounds())) {
      unmet.add("expected convergence within " + scenario.convergeWithinRounds()
          + " rounds of the last event (round " + lastEvent + ")");
    }
    if (scenario.maxMovesOverMinimum() > 0
        && r.movesOverMinimum() > scenario.maxMovesOverMinimum()) {
      unmet.add("expected at most %.2fx the minimum replica moves, made %.2fx".formatted(
          scenario.maxMovesOverMinimum(), r.movesOverMinimum()));
    }
    return unmet;
  }

  private SimReport report(int startStores, int startRanges, boolean converged, int rounds,
      int lastEvent, ClusterView end, List<String> unmet) {
    List<String> quorum = new ArrayList<>(quorumViolations);
    if (quorumViolationCount > quorum.size()) {
      quorum.add("... " + (quorumViolationCount - quorum.size()) + " more");
    }
    return new SimReport(scenario.name(), seed, startStores, cluster.stores.size(), startRanges,
        cluster.byStart.size(), converged, rounds, Math.max(0, rounds - lastEvent),
        cluster.replicasAdded, minimumMoves, cluster.leaderTransfers, cluster.splits,
        cluster.merges, succeeded, failed, timedOut, cluster.droppedSteps,
        RepairScheduler.underReplicated(end), cluster.thrash, quorum, unmet);
  }
}
