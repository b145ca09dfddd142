package io.flotilla.placement.tso;

import io.flotilla.multiraft.kv.Keyspace;
import io.flotilla.multiraft.node.NodeExtension;
import io.flotilla.multiraft.node.PrometheusText;
import io.flotilla.multiraft.runtime.RangeInfo;
import io.flotilla.multiraft.runtime.StoreRuntime;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The timestamp oracle of one node: a {@link TimestampAllocator} on the system range's mark
 * ({@link RaftMarkStore}) that serves while this node leads the system range, and the
 * {@code Tso} gRPC service ({@link TsoService}) on the node's port.
 *
 * <p>One thread, {@code flotilla-tso-<node>}, checks every {@code checkIntervalMillis} whether
 * this node leads the system range (as the runtime last published): if so it starts a tenure
 * (or renews the window when due), else it stops serving at once. It also sends the service's
 * answers, so no answer is sent on the raft thread.
 */
public final class TimestampOracle implements AutoCloseable {
  private static final Duration STORE_TIMEOUT = Duration.ofSeconds(5);

  private final long nodeId;
  private final StoreRuntime runtime;
  private final TimestampAllocator allocator;
  private final Consumer<String> log;
  private final ScheduledExecutorService thread;
  private boolean leading; // on the oracle's thread only
  private CompletableFuture<Void> starting;
  private volatile String lastFailure = ""; // written where a take-over completes

  TimestampOracle(long nodeId, StoreRuntime runtime, TsoOptions options, Consumer<String> log) {
    this.nodeId = nodeId;
    this.runtime = runtime;
    this.log = log;
    SecureRandom random = new SecureRandom();
    this.allocator = new TimestampAllocator(new RaftMarkStore(runtime, STORE_TIMEOUT),
        System::currentTimeMillis, random::nextLong, options);
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "flotilla-tso-" + nodeId);
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::check, options.checkIntervalMillis(),
        options.checkIntervalMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The extension that installs an oracle and its service on every node it is given to, and
   * lets the node's range leaders fetch timestamps from whichever node serves the TSO (their
   * one-phase commits need one after each election).
   */
  public static NodeExtension extension(TsoOptions options) {
    return context -> {
      TimestampOracle oracle = new TimestampOracle(context.nodeId(), context.runtime(), options,
          context.log());
      context.addService(new TsoService(oracle), oracle.executor());
      context.addMetrics(oracle::metrics);
      NodeTimestamps forRanges = new NodeTimestamps(context::addresses);
      context.runtime().useTimestamps(forRanges::next);
      return () -> {
        forRanges.close();
        oracle.close();
      };
    };
  }

  long nodeId() {
    return nodeId;
  }

  TimestampAllocator allocator() {
    return allocator;
  }

  /**
   * Runs the service's calls and answers on the oracle's thread; once that is shut down (the
   * node is closing, its server not yet), on the caller's thread: no call is left unanswered.
   */
  Executor executor() {
    return r -> {
      try {
        thread.execute(r);
      } catch (RejectedExecutionException e) {
        r.run();
      }
    };
  }

  /** The system range's leader as this node last saw it, or 0. */
  long systemLeader() {
    for (RangeInfo ri : runtime.ranges()) {
      if (ri.descriptor().rangeId() == Keyspace.SYSTEM_RANGE_ID) {
        return ri.leader();
      }
    }
    return 0;
  }

  public TimestampAllocator.Stats stats() {
    return allocator.stats();
  }

  /** The oracle's metrics on this node, in Prometheus text. */
  String metrics() {
    TimestampAllocator.Stats s = allocator.stats();
    return new PrometheusText()
        .gauge("flotilla_tso_serving", "1 if this node hands out timestamps", s.serving() ? 1 : 0)
        .counter("flotilla_tso_timestamps_total", "timestamps this node handed out",
            s.timestampsHandedOut())
        .counter("flotilla_tso_requests_total", "timestamp requests this node served",
            s.requests())
        .counter("flotilla_tso_tenures_total", "times this node took over the oracle",
            s.tenures())
        .gauge("flotilla_tso_high_water_mark", "the persisted mark no timestamp may reach",
            s.mark())
        .toString();
  }

  private void check() {
    try {
      long leader = systemLeader();
      if (leader == nodeId) {
        leading = true;
        CompletableFuture<Void> f = allocator.serve();
        if (f != starting) {
          starting = f;
          f.whenComplete((v, e) -> {
            if (e == null) {
              lastFailure = "";
              log.accept("tso: node " + nodeId + " serves timestamps (mark "
                  + Timestamps.show(allocator.stats().mark()) + ")");
            } else if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
              lastFailure = String.valueOf(e.getMessage());
              log.accept("tso: node " + nodeId + " cannot serve yet: " + lastFailure);
            }
          });
        }
        allocator.tick();
      } else if (leading) {
        leading = false;
        allocator.stop("node " + nodeId + " no longer leads the system range"
            + (leader == 0 ? "" : " (node " + leader + " does)"));
        log.accept("tso: node " + nodeId + " stopped serving timestamps");
      }
    } catch (RuntimeException e) {
      log.accept("tso: check failed: " + e);
    }
  }

  /** Stops serving; waits briefly for the oracle's thread. */
  @Override
  public void close() {
    thread.shutdownNow();
    allocator.stop("node " + nodeId + " is closing");
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
