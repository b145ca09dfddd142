package io.flotilla.placement.driver;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.proto.DriverStatePb;
import io.flotilla.placement.scheduler.DecommissionProgress;
import java.util.List;

/**
 * What the driver's last round saw and did, for the admin API's threads.
 *
 * @param view null until the first round
 * @param ready whether every store has reported since the takeover (planning has begun)
 */
record DriverSnapshot(long driver, DriverStatePb state, ClusterView view,
    List<Operator> running, List<DecommissionProgress> decommissions, boolean ready) {

  static DriverSnapshot empty(long driver, DriverStatePb state) {
    return new DriverSnapshot(driver, state, null, List.of(), List.of(), false);
  }
}
