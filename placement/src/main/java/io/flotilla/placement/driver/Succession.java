package io.flotilla.placement.driver;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.PlacementSettings;
import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.OperatorController;
import io.flotilla.placement.operator.StepRecord;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.proto.StepRecordPb;
import java.util.List;

/**
 * What a driver that takes over carries on from the decision log of the drivers before it:
 * the operators they left running, and which stores ranges recently left. Without them a
 * failover would abandon a half-done move (and later remove its learner as a stray) and could
 * move a range straight back to the store it just left.
 */
final class Succession {
  private Succession() {
  }

  /**
   * Records in {@code controller}'s history the departures of the decisions in {@code log} that
   * succeeded within the cooldown, at the time they finished, by the same rules as operators
   * that finish here. {@code log} is what the driver reads when it takes over, the newest
   * {@link DriverRecords#KEEP} decisions: a cooldown that saw more is remembered only for
   * those. Decisions that do not describe their operator (written by an older driver) are
   * skipped.
   *
   * @return how many decisions' departures were recorded
   */
  static int rebuildHistory(List<DecisionPb> log, long nowMillis, PlacementSettings settings,
      OperatorController controller) {
    int recorded = 0;
    for (DecisionPb d : log) {
      if (!d.getOutcome().equals("SUCCEEDED")
          || nowMillis - d.getFinishedMillis() >= settings.cooldownMillis()) {
        continue;
      }
      Operator op;
      try {
        op = OperatorSpecs.rebuild(d, settings);
      } catch (IllegalArgumentException e) {
        continue;
      }
      controller.recordDepartures(op, d.getFinishedMillis());
      recorded++;
    }
    return recorded;
  }

  /**
   * The operator of the unfinished decision {@code d}, rebuilt and resumed after the steps it
   * records, its clock starting at {@code view}'s time; start it on {@code view}.
   *
   * @throws IllegalArgumentException saying why it cannot be carried on
   */
  static Operator resume(DecisionPb d, ClusterView view, PlacementSettings settings) {
    Operator op = OperatorSpecs.rebuild(d, settings);
    if (view.range(op.rangeId()) == null) {
      throw new IllegalArgumentException("range " + op.rangeId() + " no longer exists");
    }
    op.resume(d.getStepsList().stream().map(Succession::step).toList(), view.nowMillis());
    return op;
  }

  private static StepRecord step(StepRecordPb s) {
    return new StepRecord(s.getStep(), s.getStartedMillis(), s.getFinishedMillis());
  }
}
