package io.flotilla.placement.operator;

/**
 * Merge the range with its right neighbour {@code rightRangeId}: the left range takes the
 * right's span. Both must have the same voters.
 */
public record MergeStep(long rangeId, long generation, long rightRangeId,
    long rightGeneration) implements Step {
}
