package io.flotilla.multiraft.runtime;

/**
 * A right range's freeze for a merge ({@link Merges}), as its replicated apply state records it.
 *
 * @param index the index of the {@code PrepareMergePb} entry that froze the range
 * @param leftRangeId the left neighbour that is to take the range's span
 * @param leftGeneration the left range's generation the freeze names: every commit of this freeze
 *     is planned at it, and abandoning the freeze moves the left range past it
 */
public record MergeFreeze(long index, long leftRangeId, long leftGeneration) {}
