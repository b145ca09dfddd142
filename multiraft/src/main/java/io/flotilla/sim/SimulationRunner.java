package io.flotilla.sim;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs many seeds, in parallel over a fixed thread pool. Each seed is an independent,
 * single-threaded {@link Simulation}, so the results (and the summary, which is assembled in seed
 * order) are the same whatever the thread count; only the progress lines interleave differently.
 */
public final class SimulationRunner {
  private SimulationRunner() {}

  /** Runs one seed. */
  public static SimResult runSeed(SimOptions options) {
    return new Simulation(options).run();
  }

  /**
   * Runs seeds {@code [firstSeed, firstSeed + count)} with {@code base}'s other options.
   *
   * @param threads worker threads; results do not depend on it
   * @param stopAtFirstFailure skip seeds after the lowest failing one; every seed below it still
   *     runs, so the reported failure is the lowest failing seed, deterministically
   * @param out progress (about every 5%) and failure reports; null for silence
   */
  public static RunSummary run(SimOptions base, long firstSeed, int count, int threads,
      boolean stopAtFirstFailure, PrintStream out) {
    if (count < 1 || threads < 1) {
      throw new IllegalArgumentException("seeds and threads must be positive: " + count + ", "
          + threads);
    }
    long start = System.nanoTime();
    AtomicLong lowestFailing = new AtomicLong(Long.MAX_VALUE);
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failing = new AtomicInteger();
    int every = Math.max(1, count / 20);
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "sim-worker");
      t.setDaemon(true);
      return t;
    });
    List<Future<SimResult>> futures = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        long seed = firstSeed + i;
        futures.add(pool.submit(() -> {
          if (stopAtFirstFailure && seed > lowestFailing.get()) {
            return null;
          }
          SimResult r = runSeed(base.withSeed(seed));
          if (!r.ok()) {
            failing.incrementAndGet();
            lowestFailing.accumulateAndGet(seed, Math::min);
          }
          int d = done.incrementAndGet();
          if (out != null && (d % every == 0 || d == count)) {
            synchronized (out) {
              out.printf(Locale.ROOT, "  %d/%d seeds (%d%%), %d failing, %.0fs%n", d, count,
                  100L * d / count, failing.get(), (System.nanoTime() - start) / 1e9);
            }
          }
          return r;
        }));
      }
      SimStats stats = new SimStats();
      List<SimResult> failures = new ArrayList<>();
      int seeds = 0;
      int violations = 0;
      int liveness = 0;
      for (int i = 0; i < count; i++) {
        SimResult r = get(futures.get(i));
        if (r == null || (stopAtFirstFailure && r.seed() > lowestFailing.get())) {
          continue;
        }
        seeds++;
        stats.addAll(r.stats());
        if (!r.ok()) {
          failures.add(r);
          if (r.livenessFailure()) {
            liveness++;
          } else {
            violations++;
          }
        }
      }
      RunSummary summary = new RunSummary(base.withSeed(firstSeed), seeds, violations, liveness,
          failures, stats, (System.nanoTime() - start) / 1_000_000);
      if (out != null) {
        for (SimResult f : failures) {
          out.print(f.report());
        }
        out.println(summary.summaryLine());
        out.println("  " + summary.statsLine());
        for (SimResult f : failures) {
          out.println("  replay: " + f.replayCommand() + "   # " + f.invariant());
        }
      }
      return summary;
    } finally {
      pool.shutdownNow();
    }
  }

  private static SimResult get(Future<SimResult> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a simulation worker failed", e.getCause());
    }
  }

  /**
   * Replays one seed, printing its report (and, with {@code options.verbose()}, every event).
   */
  public static SimResult replay(SimOptions options, PrintStream out) {
    SimResult r = runSeed(options);
    out.print(r.report());
    out.println("stats: " + r.stats());
    out.printf(Locale.ROOT, "trace hash %016x, %d events%n", r.traceHash(), r.events());
    if (!r.ok()) {
      out.println("replay: " + r.replayCommand() + "   # " + r.invariant());
    }
    return r;
  }
}
