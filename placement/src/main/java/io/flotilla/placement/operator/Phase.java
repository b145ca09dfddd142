package io.flotilla.placement.operator;

import io.flotilla.placement.model.ClusterView;

/**
 * One stage of an operator: the step that gets it done and the state in a later view that
 * shows it is done. Phases decide nothing about order; {@link Operator} runs them in sequence.
 */
abstract class Phase {
  private final String name;
  private final long timeoutMillis;

  Phase(String name, long timeoutMillis) {
    this.name = name;
    this.timeoutMillis = timeoutMillis;
  }

  String name() {
    return name;
  }

  long timeoutMillis() {
    return timeoutMillis;
  }

  /** Whether the view shows the phase done, still under way, or impossible. */
  abstract Progress progress(ClusterView view);

  /** What to ask of the cluster now, or null when there is nothing to ask (waiting). */
  abstract Step step(ClusterView view);

  /** The store receiving a snapshot during this phase, or 0. */
  long snapshotReceiver() {
    return 0;
  }

  record Progress(Kind kind, String message) {
    enum Kind { DONE, WAITING, FAILED }

    static final Progress DONE = new Progress(Kind.DONE, "");
    static final Progress WAITING = new Progress(Kind.WAITING, "");

    static Progress failed(String message) {
      return new Progress(Kind.FAILED, message);
    }

    static Progress doneIf(boolean done) {
      return done ? DONE : WAITING;
    }
  }
}
