package io.flotilla.placement.operator;

/** How an operator ended, when, and why. */
public record Outcome(Status status, String message, long atMillis) {
  public enum Status { SUCCEEDED, FAILED, TIMED_OUT, CANCELLED }

  public boolean succeeded() {
    return status == Status.SUCCEEDED;
  }

  @Override
  public String toString() {
    return status + (message.isEmpty() ? "" : ": " + message);
  }
}
