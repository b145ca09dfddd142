package io.flotilla.placement.driver;

import io.flotilla.placement.operator.Operator;
import io.flotilla.placement.operator.Outcome;
import io.flotilla.placement.operator.StepRecord;
import io.flotilla.placement.proto.DecisionPb;
import io.flotilla.placement.proto.StepRecordPb;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every operator the driver starts, as a decision record in the system range: written when it
 * starts (with its reason and its spec), again as each step completes, and when it ends. An
 * operator carried on from a former driver goes on writing to its decision. Also told to the
 * node's log, one line per change, so an operator reading logs sees the same story.
 */
final class DecisionLog {
  private final DriverRecords records;
  private final long driverNode;
  private final Consumer<String> log;
  private final Map<Operator, DecisionPb> written = new IdentityHashMap<>();

  DecisionLog(DriverRecords records, long driverNode, Consumer<String> log) {
    this.records = records;
    this.driverNode = driverNode;
    this.log = log;
  }

  void started(Operator op, long id) {
    DecisionPb d = DecisionPb.newBuilder().setId(id).setKind(kind(op)).setRangeId(op.rangeId())
        .setReason(op.reason()).setCreatedMillis(op.createdMillis()).setDriver(driverNode)
        .setDescription(op.toString()).setSpec(OperatorSpecs.of(op)).build();
    written.put(op, d);
    log.accept("placement: decision " + id + ": " + op + " because " + op.reason());
    save(d);
  }

  /** {@code op}, rebuilt from decision {@code d} a former driver left unfinished, goes on. */
  void adopted(Operator op, DecisionPb d) {
    written.put(op, d);
    log.accept("placement: decision " + d.getId() + " of the driver on node " + d.getDriver()
        + " carried on by node " + driverNode + ": " + op);
  }

  /** Ends a decision a former driver left unfinished and this one does not carry on. */
  void cancelled(DecisionPb d, String why, long nowMillis) {
    log.accept("placement: decision " + d.getId() + " CANCELLED: " + why);
    save(d.toBuilder().setOutcome(Outcome.Status.CANCELLED.name()).setOutcomeMessage(why)
        .setFinishedMillis(nowMillis).build());
  }

  /** Writes what changed since the last write: finished steps, the outcome. */
  void progressed(Operator op) {
    DecisionPb before = written.get(op);
    if (before == null) {
      return;
    }
    DecisionPb.Builder b = before.toBuilder().clearSteps();
    for (StepRecord s : op.finishedSteps()) {
      b.addSteps(StepRecordPb.newBuilder().setStep(s.phase()).setStartedMillis(s.startedMillis())
          .setFinishedMillis(s.finishedMillis()).setOutcome("done"));
    }
    if (op.isFinished()) {
      b.setOutcome(op.outcome().status().name()).setOutcomeMessage(op.outcome().message())
          .setFinishedMillis(op.outcome().atMillis());
    }
    DecisionPb now = b.build();
    if (!now.equals(before)) {
      written.put(op, now);
      save(now);
      if (op.isFinished()) {
        written.remove(op);
        log.accept("placement: decision " + now.getId() + " " + op.outcome() + " after "
            + (op.outcome().atMillis() - op.createdMillis()) + " ms: " + op);
      }
    }
  }

  private void save(DecisionPb d) {
    records.saveDecision(d).exceptionally(e -> {
      log.accept("placement: could not record decision " + d.getId() + ": " + e);
      return null;
    });
  }

  long idOf(Operator op) {
    DecisionPb d = written.get(op);
    return d == null ? 0 : d.getId();
  }

  static String kind(Operator op) {
    return op.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
  }
}
