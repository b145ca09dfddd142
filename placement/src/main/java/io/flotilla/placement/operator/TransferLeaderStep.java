package io.flotilla.placement.operator;

/** Hand the range's leadership to the voter on {@code storeId}. */
public record TransferLeaderStep(long rangeId, long generation, long storeId) implements Step {
}
