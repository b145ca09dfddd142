package io.flotilla.placement.operator;

/** Add a learner on {@code storeId}; its leader then sends it a snapshot of the range. */
public record AddLearner(long rangeId, long generation, long storeId) implements Step {
}
