package io.flotilla.placement.scheduler;

import io.flotilla.placement.model.ClusterView;

/**
 * One scheduling concern (repair, drain, split, merge, a kind of balance): reads the view and
 * offers operators, each with its reason, to the {@link Admission}, which enforces the limits
 * and the quorum rule. Units are independent; {@link Scheduler} runs them in priority order.
 */
public interface PlacementScheduler {
  /** A short name for logs, e.g. "repair". */
  String name();

  /** Whether this unit only improves balance, and so waits while any range is
   *  under-replicated (recovery before rebalancing). */
  boolean rebalances();

  void schedule(ClusterView view, Admission admission);
}
