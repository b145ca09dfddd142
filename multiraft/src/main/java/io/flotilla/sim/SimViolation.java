package io.flotilla.sim;

/**
 * An invariant failed: thrown from the check, it unwinds the run's event loop, which records it
 * with the seed and the trace tail. No stack trace: the trace is the useful context.
 */
final class SimViolation extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String invariant;

  SimViolation(String invariant, String description) {
    super(invariant + ": " + description, null, false, false);
    this.invariant = invariant;
  }

  String invariant() {
    return invariant;
  }

  String description() {
    return getMessage().substring(invariant.length() + 2);
  }
}
