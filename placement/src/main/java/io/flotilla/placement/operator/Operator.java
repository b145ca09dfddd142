package io.flotilla.placement.operator;

import io.flotilla.placement.model.ClusterView;
import io.flotilla.placement.model.RangeStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One scheduled change: a sequence of phases, each a step asked of the cluster and the state
 * that shows it done. {@link #observe} is the only transition: given a newer view it advances
 * through every phase the view shows done, fails when the range split or merged under it or a
 * phase found its goal impossible, and times out a phase that takes too long. The driver asks
 * {@link #currentStep} after each observation and executes it (again, if need be: steps are
 * idempotent).
 */
public abstract sealed class Operator
    permits MoveReplica, AddReplica, RemoveReplica, TransferLeader, SplitRange, MergeRanges {
  private final Planned planned;
  private final List<Phase> phases;
  private final List<StepRecord> finishedSteps = new ArrayList<>();
  private int current;
  private long phaseStartedMillis;
  private Step step;
  private Outcome outcome;

  Operator(Planned planned, List<Phase> phases) {
    this.planned = planned;
    this.phases = List.copyOf(phases);
    this.phaseStartedMillis = planned.createdMillis();
  }

  /**
   * Carries on an operator a former driver started and recorded as far as {@code done}: those
   * phases are not asked again (a later one the view shows done is skipped as usual), and the
   * clock of the next one starts at {@code nowMillis}, since no driver ran it meanwhile. Call
   * it before the first {@link #observe}.
   *
   * @throws IllegalArgumentException when {@code done} are not this operator's first phases
   */
  public final void resume(List<StepRecord> done, long nowMillis) {
    if (current != 0 || outcome != null || step != null) {
      throw new IllegalStateException(this + " has already been observed");
    }
    if (done.size() >= phases.size()) {
      throw new IllegalArgumentException("all its " + phases.size()
          + " steps are recorded done, yet not its outcome");
    }
    for (int i = 0; i < done.size(); i++) {
      if (!done.get(i).phase().equals(phases.get(i).name())) {
        throw new IllegalArgumentException("its step " + (i + 1) + " is recorded as '"
            + done.get(i).phase() + "', not '" + phases.get(i).name() + "'");
      }
    }
    finishedSteps.addAll(done);
    current = done.size();
    phaseStartedMillis = nowMillis;
  }

  /** Advances as far as {@code view} shows; call it with every new view until finished. */
  public final void observe(ClusterView view) {
    long now = view.nowMillis();
    while (outcome == null) {
      Phase phase = phases.get(current);
      Phase.Progress progress = phase.progress(view);
      switch (progress.kind()) {
        case DONE -> {
          finishedSteps.add(new StepRecord(phase.name(), phaseStartedMillis, now));
          phaseStartedMillis = now;
          if (++current == phases.size()) {
            finish(Outcome.Status.SUCCEEDED, "", now);
          }
        }
        case FAILED -> finish(Outcome.Status.FAILED, progress.message(), now);
        case WAITING -> {
          if (now - phaseStartedMillis > phase.timeoutMillis()) {
            finish(Outcome.Status.TIMED_OUT, "'" + phase.name() + "' took longer than "
                + phase.timeoutMillis() + " ms", now);
          } else {
            step = phase.step(view);
            return;
          }
        }
      }
    }
  }

  public final void cancel(String why, long nowMillis) {
    if (outcome == null) {
      finish(Outcome.Status.CANCELLED, why, nowMillis);
    }
  }

  private void finish(Outcome.Status status, String message, long now) {
    outcome = new Outcome(status, message, now);
    step = null;
  }

  /** What to ask of the cluster now; empty when finished or waiting without a request. */
  public final Optional<Step> currentStep() {
    return Optional.ofNullable(step);
  }

  public final boolean isFinished() {
    return outcome != null;
  }

  /** How it ended, or null while it runs. */
  public final Outcome outcome() {
    return outcome;
  }

  public final long rangeId() {
    return planned.rangeId();
  }

  /** The range's generation when planned (a merge's: the left range's). */
  public final long generation() {
    return planned.generation();
  }

  /** Why the scheduler chose it, e.g. "store 3 has 41 leaders, mean 30". */
  public final String reason() {
    return planned.reason();
  }

  public final long createdMillis() {
    return planned.createdMillis();
  }

  public final List<StepRecord> finishedSteps() {
    return Collections.unmodifiableList(finishedSteps);
  }

  /** The name of the phase under way (or the last one, once finished). */
  public final String phaseName() {
    return phases.get(Math.min(current, phases.size() - 1)).name();
  }

  /** The store receiving a snapshot for this operator right now, or 0. */
  public final long snapshotReceiver() {
    return outcome == null ? phases.get(current).snapshotReceiver() : 0;
  }

  /** Stores this operator makes work, for the per-store limit (the range's leader, which
   *  sends snapshots, is limited by the snapshot limit instead). */
  public abstract Set<Long> stores();

  /** The stores that will hold the range once this succeeds. */
  public Set<Long> projectedReplicas(RangeStats range) {
    return new LinkedHashSet<>(range.replicas());
  }

  /** The store that will lead the range once this succeeds. */
  public long projectedLeader(RangeStats range) {
    return range.leaderStore();
  }

  /** Every voter set the range passes through; each must keep a quorum of live voters. */
  public List<Set<Long>> voterSets(RangeStats range) {
    return List.of();
  }

  /** Helper for subclasses: a voter that is not {@code avoid}, preferring the current leader. */
  static long leaderOtherThan(RangeStats range, long avoid) {
    if (range.leaderStore() != avoid) {
      return range.leaderStore();
    }
    return range.voters().stream().filter(v -> v != avoid).findFirst().orElse(0L);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + " " + describe() + " (" + reason() + ")"
        + (outcome == null ? " at '" + phaseName() + "'" : " " + outcome);
  }

  /** The operator's subject, e.g. "range 7 store 3 -> 5". */
  abstract String describe();
}
