package io.flotilla.placement.operator;

/** Remove the replica on {@code storeId}, a voter or a learner, from the range. */
public record RemoveVoter(long rangeId, long generation, long storeId) implements Step {
}
