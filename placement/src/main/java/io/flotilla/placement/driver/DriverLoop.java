package io.flotilla.placement.driver;

import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.node.NodeExtension;
import io.flotilla.multiraft.node.PrometheusText;
import io.flotilla.multiraft.proto.NodeAdminGrpc;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.StoreRuntime;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.proto.DriverStatePb;
import io.flotilla.placement.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The driver's thread on one node: each round, if this node leads the system range, it runs a
 * {@link Tenure} round (taking over first if it just became leader); if it does not, it drops
 * any tenure it had. Leadership of the system range is the driver's leadership: its records are
 * written through that range, so a node that lost it can no longer record anything.
 */
final class DriverLoop implements AutoCloseable {
  private final NodeExtension.Context node;
  private final StoreRuntime runtime;
  private final PlacementDriver.Options options;
  private final Consumer<String> log;
  private final DriverRecords records;
  private final StorePoller poller;
  private final StepExecutor executor;
  private final ClusterClients clients;
  private final GcRunner gc;
  private final ScheduledExecutorService thread;
  private final ConcurrentLinkedQueue<ManualChange> manual = new ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicBoolean nudged =
      new java.util.concurrent.atomic.AtomicBoolean();
  private Tenure tenure;
  private volatile DriverSnapshot snapshot;
  private String lastFailure;

  DriverLoop(NodeExtension.Context node, PlacementDriver.Options options) {
    this.node = node;
    this.runtime = node.runtime();
    this.options = options;
    this.log = node.log();
    this.records = new DriverRecords(runtime, options.pollDeadline().multipliedBy(2));
    this.poller = new StorePoller(options.pollDeadline());
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flotilla-placement-" + node.nodeId());
      t.setDaemon(true);
      return t;
    });
    this.executor = new StepExecutor(id -> poller.channel(addressOf(id)), thread,
        options.pollDeadline().multipliedBy(5), this::nudge);
    this.clients = new ClusterClients(node::addresses);
    this.gc = new GcRunner(clients::timestamp, clients::resolve,
        address -> NodeAdminGrpc.newBlockingStub(poller.channel(address)), log,
        options.gcRetention(), options.gcInterval());
  }

  void start() {
    thread.scheduleWithFixedDelay(this::round, options.interval().toMillis(),
        options.interval().toMillis(), TimeUnit.MILLISECONDS);
  }

  private String addressOf(long id) {
    Map<Long, String> book = node.addresses();
    return book.getOrDefault(id, book.get(node.nodeId()));
  }

  /** The node leading the system range as this node sees it, or 0. */
  long driverNode() {
    for (RangeInfo ri : runtime.ranges()) {
      if (ri.descriptor().rangeId() == Keyspace.SYSTEM_RANGE_ID) {
        return ri.leader();
      }
    }
    return 0;
  }

  boolean drives() {
    return driverNode() == node.nodeId();
  }

  /** The last round's state while this node drives, else null. */
  DriverSnapshot snapshot() {
    return drives() ? snapshot : null;
  }

  DriverRecords records() {
    return records;
  }

  void submit(ManualChange change) {
    manual.add(change);
  }

  /**
   * Runs a round now rather than at the next interval: a step the cluster just took lets its
   * operator move on at once, so a move's four steps take four round trips, not four intervals.
   */
  private void nudge() {
    if (nudged.compareAndSet(false, true)) {
      try {
        thread.execute(this::round);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // Closing.
      }
    }
  }

  private void round() {
    nudged.set(false);
    try {
      if (!drives()) {
        if (tenure != null) {
          log.accept("placement: node " + node.nodeId() + " no longer leads the system range;"
              + " its driver stops");
          tenure = null;
          snapshot = null;
        }
        refuseManual();
        return;
      }
      long now = System.currentTimeMillis();
      if (tenure == null) {
        tenure = takeOver(now);
      }
      Map<Long, String> addresses = node.addresses();
      var reports = poller.poll(addresses, now)
          .get(options.pollDeadline().toMillis() + 1000, TimeUnit.MILLISECONDS);
      List<ManualChange> asked = new ArrayList<>();
      for (ManualChange c; (c = manual.poll()) != null; ) {
        asked.add(c);
      }
      tenure.round(System.currentTimeMillis(), addresses, reports, asked);
      snapshot = tenure.snapshot();
      if (snapshot.ready()) {
        gc.maybeStart(System.currentTimeMillis(), snapshot.view(), reports, addresses);
      }
      lastFailure = null;
    } catch (Exception e) {
      String failure = String.valueOf(e);
      if (!failure.equals(lastFailure)) {
        log.accept("placement: round failed on node " + node.nodeId() + ": " + failure
            + " (said once while it repeats)");
      }
      lastFailure = failure;
      tenure = null; // taken over afresh next round, from what the system range says
      snapshot = null;
    }
  }

  private Tenure takeOver(long now) throws Exception {
    long wait = options.pollDeadline().toMillis() * 2;
    DriverStatePb state = records.loadState().get(wait, TimeUnit.MILLISECONDS);
    // Every decision kept: the unfinished ones to carry on, and those of the last cooldown.
    long from = Math.max(1, state.getNextDecision() - DriverRecords.KEEP);
    List<DecisionPb> recent = records.decisions(from, (int) DriverRecords.KEEP)
        .get(wait, TimeUnit.MILLISECONDS);
    return new Tenure(node.nodeId(), now, options.settings(), records, state, recent, executor,
        Scheduler.standard(), log);
  }

  private void refuseManual() {
    for (ManualChange c; (c = manual.poll()) != null; ) {
      c.answer.complete(ManualChange.refused("node " + node.nodeId() + " no longer drives"
          + " placement; ask node " + driverNode()));
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    poller.close();
    clients.close();
  }

  /** The driver's metrics on this node, in Prometheus text. */
  String metrics() {
    DriverSnapshot s = snapshot();
    return new PrometheusText()
        .gauge("flotilla_placement_driving", "1 if this node runs the placement driver",
            s == null ? 0 : 1)
        .gauge("flotilla_placement_ready", "1 if the driver here plans (every store reported"
            + " since it took over)", s != null && s.ready() ? 1 : 0)
        .gauge("flotilla_placement_operators_running", "operators the driver here runs",
            s == null ? 0 : s.running().size())
        .counter("flotilla_placement_decisions_total", "decisions this node recorded as"
            + " finished, by outcome", "outcome", records.finishedByOutcome())
        .gauge("flotilla_gc_safe_point", "the MVCC GC safe point of the last pass this node"
            + " ran (a TSO timestamp; 0: none)", gc.safePoint())
        .toString();
  }
}
