package io.flotilla.placement.operator;

/**
 * Make the learner on {@code storeId} a voter. When {@code demoteStoreId} is not 0 the same
 * change (through joint consensus) turns that voter into a learner, so the voter count never
 * drops and the quorum of the old and the new configuration both hold at every moment.
 */
public record Promote(long rangeId, long generation, long storeId, long demoteStoreId)
    implements Step {
}
