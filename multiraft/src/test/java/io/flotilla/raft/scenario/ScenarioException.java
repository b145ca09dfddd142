package io.flotilla.raft.scenario;

/**
 * A mistake in a scenario script (unknown command, missing argument, unknown member). It fails
 * the test at the offending line instead of becoming expected output: a typo must never be
 * recorded as the behaviour being asserted.
 */
final class ScenarioException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ScenarioException(String message) {
    super(message);
  }
}
