package io.flotilla.placement.driver;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.InFlight;
import io.flotilla.placement.model.PlacementHistory;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.model.RangeStats;
import io.flotilla.placement.model.StoreState;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.OperatorController;
import io.flotilla.placement.operator.Step;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.proto.DriverStatePb;
import io.flotilla.placement.proto.StoreStatePb;
import io.flotilla.placement.scheduler.DecommissionProgress;
import io.flotilla.placement.scheduler.Plan;
import io.flotilla.placement.scheduler.Scheduler;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The driver while this node leads the system range: each round it reads the stores' reports,
 * advances the running operators, plans new ones and carries out their steps. Everything here
 * runs on the driver's one thread; what other threads may read is {@link #snapshot}.
 *
 * <p>After a takeover it plans nothing until every store has reported once (or has been silent
 * for longer than the down setting): a view missing a live store would look like a store to
 * repair or an empty store to fill. The operators the former driver left running are carried
 * on from that same round, just before planning, for the same reason: observed on a view that
 * misses a store's report, an operator would fail for a range that only seems gone, or take a
 * step against a stale descriptor. Until then nothing is planned on their ranges; an operator
 * asked for by hand meanwhile on one of them wins, and the former one is cancelled. The
 * cooldown history is rebuilt from the decision log at once (see {@link Succession}).
 */
final class Tenure {
  /** A step asked again this often while the operator still waits for it. */
  static final long STEP_RETRY_MILLIS = 2_000;

  private final long self;
  private final long startedMillis;
  private final PlacementSettings settings;
  private final DriverRecords records;
  private final DecisionLog decisions;
  private final StepExecutor executor;
  private final Consumer<String> log;
  private final Scheduler scheduler;
  private final PlacementHistory history = new PlacementHistory();
  private final OperatorController controller = new OperatorController(history);
  private final ViewAssembler assembler = new ViewAssembler();
  private final Map<Long, StorePoller.Report> lastReports = new HashMap<>();
  private final Map<Long, Long> lastSeen = new HashMap<>();
  private final Map<Operator, Sent> sent = new IdentityHashMap<>();
  /** Decisions the former driver left unfinished, until carried on once the view is whole. */
  private List<DecisionPb> unfinished;
  private DriverStatePb state;
  private boolean ready;
  private volatile DriverSnapshot snapshot;

  /** The last step asked of the cluster for an operator, and its call. */
  private record Sent(Step step, long atMillis, CompletableFuture<String> call) {}

  /** @param recent the decision log as read at the takeover (the newest decisions) */
  Tenure(long self, long nowMillis, PlacementSettings settings, DriverRecords records,
      DriverStatePb state, List<DecisionPb> recent, StepExecutor executor, Scheduler scheduler,
      Consumer<String> log) {
    this.self = self;
    this.startedMillis = nowMillis;
    this.settings = settings;
    this.records = records;
    this.state = state;
    this.executor = executor;
    this.scheduler = scheduler;
    this.log = log;
    this.decisions = new DecisionLog(records, self, log);
    this.snapshot = DriverSnapshot.empty(self, state);
    this.unfinished = recent.stream().filter(d -> d.getOutcome().isEmpty()).toList();
    int departures = Succession.rebuildHistory(recent, nowMillis, settings, controller);
    log.accept("placement: node " + self + " leads the system range and takes over the"
        + " driver; once every store has reported it carries on the " + unfinished.size()
        + " unfinished decisions of the former driver and plans (the cooldown remembers the"
        + " departures of " + departures + " recent decisions)");
  }

  DriverSnapshot snapshot() {
    return snapshot;
  }

  /** One round on the reports just polled; {@code manual} are operators asked for by people. */
  void round(long now, Map<Long, String> addresses, Map<Long, StorePoller.Report> reports,
      List<ManualChange> manual) {
    lastReports.putAll(reports);
    for (long id : addresses.keySet()) {
      lastSeen.merge(id, startedMillis, Math::max);
    }
    reports.forEach((id, r) -> lastSeen.merge(id, r.atMillis(), Math::max));
    // Departures older than the cooldown bar nothing any more: a long tenure must not grow it.
    history.forgetBefore(now - settings.cooldownMillis());
    ClusterView view = assembler.assemble(now, settings, addresses, reports, lastReports,
        lastSeen, storeStates(), InFlight.NONE, history);
    view = view.withInFlight(controller.inFlight(view));
    for (Operator done : controller.observe(view)) {
      decisions.progressed(done);
      sent.remove(done);
    }
    for (Operator op : controller.running()) {
      decisions.progressed(op);
    }
    view = view.withInFlight(controller.inFlight(view));
    if (!ready) {
      ready = addresses.keySet().stream().allMatch(id -> reportedSinceTakeover(id)
          || now - startedMillis > settings.storeDownAfterMillis());
      if (ready) {
        log.accept("placement: node " + self + " drives placement: every store has reported");
        carryOn(view);
        view = view.withInFlight(controller.inFlight(view));
      }
    }
    for (ManualChange change : manual) {
      change.apply(this, view);
    }
    Plan plan = null;
    if (ready && !state.getBalancerPaused()) {
      plan = scheduler.schedule(view);
      start(plan.operators(), view);
      view = view.withInFlight(controller.inFlight(view));
      finishDecommissions(plan);
    }
    executeSteps(view, now);
    snapshot = new DriverSnapshot(self, state, view, List.copyOf(controller.running()),
        plan == null ? List.of() : plan.decommissions(), ready);
  }

  private boolean reportedSinceTakeover(long id) {
    StorePoller.Report r = lastReports.get(id);
    return r != null && r.atMillis() >= startedMillis;
  }

  /** Starts operators, each recorded as a decision first. */
  void start(List<Operator> ops, ClusterView view) {
    if (ops.isEmpty()) {
      return;
    }
    long next = state.getNextDecision();
    for (Operator op : ops) {
      if (view.hasOperator(op.rangeId())) {
        continue;
      }
      controller.start(List.of(op), view);
      decisions.started(op, next++);
    }
    setState(state.toBuilder().setNextDecision(next).build());
  }

  long decisionOf(Operator op) {
    return decisions.idOf(op);
  }

  private void finishDecommissions(Plan plan) {
    for (DecommissionProgress p : plan.decommissions()) {
      if (p.done() && state.getStoreStatesMap().get(p.storeId())
          == StoreStatePb.DECOMMISSIONING) {
        log.accept("placement: store " + p.storeId() + " holds nothing: decommissioned");
        setStoreState(p.storeId(), StoreStatePb.DECOMMISSIONED);
      }
    }
  }

  /** Records a store's state; completes once it is written through the system range. */
  CompletableFuture<Void> setStoreState(long store, StoreStatePb s) {
    DriverStatePb.Builder b = state.toBuilder();
    if (s == StoreStatePb.UP) {
      b.removeStoreStates(store);
    } else {
      b.putStoreStates(store, s);
    }
    return setState(b.build());
  }

  CompletableFuture<Void> setBalancerPaused(boolean paused) {
    return setState(state.toBuilder().setBalancerPaused(paused).build());
  }

  private CompletableFuture<Void> setState(DriverStatePb next) {
    if (next.equals(state)) {
      return CompletableFuture.completedFuture(null);
    }
    state = next;
    CompletableFuture<Void> saved = records.saveState(next);
    saved.exceptionally(e -> {
      log.accept("placement: could not record the driver's state: " + e);
      return null;
    });
    return saved;
  }

  private Map<Long, StoreState> storeStates() {
    Map<Long, StoreState> out = new HashMap<>();
    state.getStoreStatesMap().forEach((id, s) -> out.put(id, StoreState.valueOf(s.name())));
    return out;
  }

  private void executeSteps(ClusterView view, long now) {
    for (Operator op : controller.running()) {
      Step step = op.currentStep().orElse(null);
      if (step == null) {
        continue;
      }
      Sent last = sent.get(op);
      boolean again = last == null || !last.step().equals(step)
          || (last.call().isDone() && now - last.atMillis() >= STEP_RETRY_MILLIS);
      if (!again) {
        continue;
      }
      RangeStats range = view.range(op.rangeId());
      CompletableFuture<String> call = executor.run(step, range);
      sent.put(op, new Sent(step, now, call));
      long id = decisions.idOf(op);
      call.thenAccept(failure -> {
        if (failure != null) {
          log.accept("placement: decision " + id + ": " + step + " not taken: " + failure);
        }
      });
    }
  }

  /**
   * Takes on the operators of the decisions the former driver left unfinished, each going on
   * from where {@code view} shows its range; a decision that cannot be carried on is cancelled,
   * saying why.
   */
  private void carryOn(ClusterView view) {
    for (DecisionPb d : unfinished) {
      Operator op;
      try {
        op = Succession.resume(d, view, settings);
        controller.start(List.of(op), view);
      } catch (IllegalArgumentException | IllegalStateException e) {
        decisions.cancelled(d, "the driver on node " + d.getDriver() + " stopped before it"
            + " finished, and node " + self + " cannot carry it on: " + e.getMessage()
            + "; it plans again from the cluster as it is", view.nowMillis());
        continue;
      }
      decisions.adopted(op, d);
      decisions.progressed(op);
    }
    unfinished = List.of();
  }

  Set<Long> runningRanges() {
    Set<Long> out = new java.util.HashSet<>();
    controller.running().forEach(op -> out.add(op.rangeId()));
    return out;
  }
}
