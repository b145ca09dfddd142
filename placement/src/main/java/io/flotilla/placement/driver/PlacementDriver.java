package io.flotilla.placement.driver;

import io.flotilla.multiraft.node.NodeExtension;
import io.flotilla.placement.model.PlacementSettings;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The placement driver, installed on every node: the node that leads the system range runs it
 * (see {@link DriverLoop}), the others answer its admin API with where it runs. It keeps every
 * range replicated, so the node's own stop-gap up-replication stands down.
 */
public final class PlacementDriver implements NodeExtension {
  /**
   * @param interval time between rounds (poll the stores, advance operators, plan)
   * @param pollDeadline how long a store may take to report in a round
   * @param settings the schedulers' settings
   * @param gcRetention how far back in time transactions can read: the MVCC GC keeps every
   *     version a read this recent may need (and those of every transaction holding a lock)
   * @param gcInterval time between GC passes
   */
  public record Options(Duration interval, Duration pollDeadline, PlacementSettings settings,
      Duration gcRetention, Duration gcInterval) {

    /** With the default GC: 10 minutes of retention, a pass a minute. */
    public Options(Duration interval, Duration pollDeadline, PlacementSettings settings) {
      this(interval, pollDeadline, settings, Duration.ofMinutes(10), Duration.ofMinutes(1));
    }

    public Options {
      if (gcRetention.isNegative() || !gcInterval.isPositive()) {
        throw new IllegalArgumentException("gc retention must not be negative and the gc"
            + " interval must be positive: " + gcRetention + ", " + gcInterval);
      }
    }

    public Options withGc(Duration retention, Duration every) {
      return new Options(interval, pollDeadline, settings, retention, every);
    }

    /**
     * A round a second, 2 s for the stores to report, the default settings (merges on: a split
     * made on purpose is marked to stay, so only splits by size and expired load splits are
     * merged back) and the default GC.
     */
    public static final Options DEFAULTS = new Options(Duration.ofSeconds(1),
        Duration.ofSeconds(2), PlacementSettings.defaults());
  }

  /**
   * Merge size 0: the merge scheduler plans no merges (for tests that split by themselves, with
   * splits not made to stay, and count ranges).
   */
  public static PlacementSettings.Builder withoutMerges(PlacementSettings.Builder b) {
    return b.set("merge-size", 0);
  }

  private final Options options;

  public PlacementDriver(Options options) {
    this.options = options;
  }

  @Override
  public AutoCloseable install(Context context) {
    ExecutorService rpc = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "flotilla-placement-rpc-" + context.nodeId());
      t.setDaemon(true);
      return t;
    });
    DriverLoop loop = new DriverLoop(context, options);
    context.addService(new PlacementService(loop), rpc);
    context.addMetrics(loop::metrics);
    loop.start();
    return () -> {
      loop.close();
      rpc.shutdownNow();
    };
  }

  @Override
  public boolean keepsRangesReplicated() {
    return true;
  }
}
