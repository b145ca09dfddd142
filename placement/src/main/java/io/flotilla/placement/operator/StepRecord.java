package io.flotilla.placement.operator;

/** One finished phase of an operator, for the event log. */
public record StepRecord(String phase, long startedMillis, long finishedMillis) {
}
