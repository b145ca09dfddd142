package io.flotilla.sim;

import io.flotilla.check.CheckResult;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.Entry;
import io.flotilla.raft.EntryType;
import io.flotilla.raft.MemoryStorage;
import io.flotilla.raft.RaftNode;
import io.flotilla.raft.Role;
import io.flotilla.sim.EventTrace.Kind;
import io.flotilla.sim.SimStats.Counter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * One run of one seed: builds the group, the network, the workloads and the fault schedule, runs
 * the event loop with the invariants checked after every event, and reports a {@link SimResult}.
 * Single-threaded and deterministic: the seed determines every choice.
 */
public final class Simulation {
  /** Events shown in a failure report. */
  static final int TRACE_TAIL = 40;
  /** Search budget of the general linearizability checker at the end of a run. */
  private static final long CHECKER_STEPS = 2_000_000;

  /**
   * Harness-side faults that break the clients' guarantees on purpose, so tests can show the
   * history checks catch them (the core's own planted bugs are {@code SimOptions.bugs}).
   */
  enum Sabotage {
    NONE,
    /** Gets read the contacted member's state at once, skipping ReadIndex. */
    STALE_READS,
    /** Puts are acknowledged as soon as the leader accepts them, before they commit. */
    EARLY_ACKS
  }

  private final SimOptions options;
  private final Sabotage sabotage;
  private final RandomGenerator rng;
  private final FaultPlan plan;
  private final Scheduler scheduler = new Scheduler();
  private final EventTrace trace;
  private final SimStats stats = new SimStats();
  private final SimNode[] byId;
  private final List<SimNode> nodes = new ArrayList<>();
  private final VirtualNetwork network;
  private final Invariants invariants;
  private final History history = new History();
  private final ClientWorkload clients;
  private final Nemesis nemesis;
  private final MembershipWorkload membership;
  private final LivenessCheck liveness;

  public Simulation(SimOptions options) {
    this(options, Sabotage.NONE, options.verbose() ? System.out : null,
        EnumSet.allOf(Kind.class));
  }

  Simulation(SimOptions options, Sabotage sabotage) {
    this(options, sabotage, options.verbose() ? System.out : null, EnumSet.allOf(Kind.class));
  }

  /**
   * A run that tells its story on {@code out} as it goes: leaders, crashes, partitions, heals,
   * membership changes, transfers and snapshots, but not every message. The demo uses it.
   */
  public static Simulation narrated(SimOptions options, PrintStream out) {
    return new Simulation(options, Sabotage.NONE, out, EventTrace.HIGHLIGHTS);
  }

  private Simulation(SimOptions options, Sabotage sabotage, PrintStream out, Set<Kind> shown) {
    this.options = options;
    this.sabotage = sabotage;
    this.rng = new SplittableRandom(options.seed());
    this.plan = FaultPlan.draw(rng, options);
    this.trace = new EventTrace(TRACE_TAIL, out, shown);
    int max = options.maxNodeId();
    Long[] voters = new Long[options.members()];
    for (int i = 0; i < voters.length; i++) {
      voters[i] = (long) (i + 1);
    }
    byId = new SimNode[max + 1];
    for (int id = 1; id <= max; id++) {
      // Founding members start from the bootstrap snapshot naming the initial voters; spares
      // join later as a real joiner does, from empty storage, and learn the membership from the
      // snapshot the leader sends them once they are added.
      MemoryStorage storage = id <= voters.length ? MemoryStorage.withVoters(voters)
          : new MemoryStorage();
      byId[id] = new SimNode(this, id, storage, FaultPlan.drawMaxInflight(rng));
      nodes.add(byId[id]);
    }
    network = new VirtualNetwork(this, max);
    invariants = new Invariants(this, max, byId[1].storage().snapshot());
    clients = new ClientWorkload(this, plan.clients());
    nemesis = new Nemesis(this);
    membership = new MembershipWorkload(this);
    liveness = new LivenessCheck(this);
  }

  /** Runs to the end, or to the first violation. */
  public SimResult run() {
    String invariant = null;
    String description = null;
    try {
      for (SimNode n : nodes) {
        n.start();
        scheduleTick(n, 0);
      }
      invariants.afterEvent(byId);
      clients.start();
      nemesis.start();
      membership.start();
      liveness.start();
      trace(Kind.PLAN, 0, plan);
      while (scheduler.runNext(endTime())) {
        invariants.afterEvent(byId);
      }
      finalChecks();
    } catch (SimViolation v) {
      invariant = v.invariant();
      description = v.description();
    } catch (RuntimeException | AssertionError e) {
      invariant = isCore(e) ? "core exception" : "harness exception";
      description = describe(e);
    }
    if (invariant != null) {
      trace(Kind.VIOLATION, 0, invariant + ": " + description);
    }
    for (SimNode n : nodes) {
      trace.fold(n.storage().lastIndex());
      trace.fold(n.storage().hardState().commit());
      trace.fold(n.live() ? n.applied() : -1);
    }
    stats.add(Counter.EVENTS, scheduler.executed());
    return new SimResult(options, plan.toString(), invariant, description,
        invariant == null ? List.of() : trace.tail(), stats, trace.hash(), scheduler.executed());
  }

  private void scheduleTick(SimNode n, long tick) {
    // Each member ticks once per tick, at a random point in the tick's first half: clocks skew,
    // so who times out first varies.
    scheduler.at(tick * Scheduler.TICK + rng.nextLong(Scheduler.TICK / 2), () -> {
      if (n.live()) {
        trace(Kind.TICK, n.id(), null);
        n.tick();
      }
      scheduleTick(n, tick + 1);
    });
  }

  private void finalChecks() {
    if (!liveness.achieved()) {
      throw new SimViolation("liveness", "the run ended before the group was live again");
    }
    for (History.Op op : history.ops()) {
      if (op.put && op.status == History.Status.OK) {
        long i = op.pid.index();
        if (i > invariants.appliedMax() || invariants.appliedTerm(i) != op.pid.term()
            || invariants.appliedPrint(i) != Messages.fingerprint(Entry.normal(op.pid.term(), i,
                Command.put(op.client, op.id, op.key, op.value)))) {
          throw new SimViolation("acknowledged proposal lost", op + " was acknowledged but is"
              + " not the entry applied at index " + i);
        }
      }
    }
    CheckResult r = history.checkWithGeneralChecker(CHECKER_STEPS);
    switch (r.verdict()) {
      case LINEARIZABLE -> { }
      case UNKNOWN -> stats.inc(Counter.LIN_CHECK_UNDECIDED);
      case NOT_LINEARIZABLE -> throw new SimViolation("linearizability",
          "the general checker finds the history not linearizable: " + r.explanation());
    }
  }

  // ---- callbacks from the parts -------------------------------------------------------------

  void onApplied(SimNode n, Entry e, Command cmd, ConfState conf) {
    trace(Kind.APPLY, n.id(), e);
    if (invariants.onApplied(n, e, n.kv().chainHash())) {
      stats.inc(Counter.COMMITS);
      if (cmd != null && cmd.kind() == Command.PUT) {
        history.onWriteLogged(cmd.op(), cmd.key(), e.index());
      }
      if (e.type() == EntryType.CONF_CHANGE) {
        stats.inc(Counter.CONF_CHANGES_APPLIED);
        if (conf.isJoint()) {
          stats.inc(Counter.JOINT_CONFIGS);
        }
      }
    }
    clients.onApplied(n, e, cmd);
  }

  void onReadServed(SimNode n, long requestId, long value, long writeIndex) {
    clients.onReadServed(n, requestId, value, writeIndex);
  }

  void onNewLeader(SimNode n, long term) {
    nemesis.onNewLeader(n, term);
  }

  void onCrashed(SimNode n) {
    clients.onCrashed(n);
    nemesis.onCrashed(n);
  }

  void trace(Kind kind, long node, Object detail) {
    trace.record(scheduler.now(), kind, node, detail);
  }

  // ---- shared state ---------------------------------------------------------------------------

  SimOptions options() {
    return options;
  }

  Sabotage sabotage() {
    return sabotage;
  }

  RandomGenerator rng() {
    return rng;
  }

  FaultPlan plan() {
    return plan;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  SimStats stats() {
    return stats;
  }

  VirtualNetwork network() {
    return network;
  }

  Invariants invariants() {
    return invariants;
  }

  History history() {
    return history;
  }

  List<SimNode> nodes() {
    return nodes;
  }

  /** The member with this id, or null if there is none. */
  SimNode node(long id) {
    return id >= 1 && id < byId.length ? byId[(int) id] : null;
  }

  long healTime() {
    return options.healTick() * Scheduler.TICK;
  }

  long endTime() {
    return options.ticks() * Scheduler.TICK;
  }

  boolean faultsActive() {
    return scheduler.now() < healTime();
  }

  /** Clients stop invoking at the heal, so the quiet tail can drain every pending proposal. */
  boolean clientsActive() {
    return faultsActive();
  }

  /** The live leader of the highest term, or null. */
  SimNode currentLeader() {
    SimNode best = null;
    for (SimNode n : nodes) {
      RaftNode r = n.raft();
      if (r != null && r.role() == Role.LEADER && (best == null || r.term() > best.raft().term())) {
        best = n;
      }
    }
    return best;
  }

  SimNode randomLiveNode() {
    int live = 0;
    for (SimNode n : nodes) {
      live += n.live() ? 1 : 0;
    }
    if (live == 0) {
      return null;
    }
    int k = rng.nextInt(live);
    for (SimNode n : nodes) {
      if (n.live() && k-- == 0) {
        return n;
      }
    }
    throw new AssertionError();
  }

  /** Membership sets from the core iterate in a per-JVM order; always sort before use. */
  static List<Long> sorted(Collection<Long> ids) {
    Long[] a = ids.toArray(new Long[0]);
    Arrays.sort(a);
    return List.of(a);
  }

  /** Whether the first frame of ours that threw is in the core (else the harness threw). */
  private static boolean isCore(Throwable e) {
    for (StackTraceElement f : e.getStackTrace()) {
      if (f.getClassName().startsWith("io.flotilla.")) {
        return f.getClassName().startsWith("io.flotilla.raft.");
      }
    }
    return false;
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(e.toString());
    StackTraceElement[] st = e.getStackTrace();
    for (int i = 0; i < Math.min(8, st.length); i++) {
      sb.append("\n      at ").append(st[i]);
    }
    return sb.toString();
  }
}
