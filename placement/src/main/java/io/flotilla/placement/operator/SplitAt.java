package io.flotilla.placement.operator;

/**
 * Split the range at {@code key}, or, when {@code key} is null, at the key its leader finds
 * that halves its bytes (only the store knows its data). The right half is not merged back
 * before {@code stickyUntilMillis} (0: it may be at once).
 */
public record SplitAt(long rangeId, long generation, byte[] key, long stickyUntilMillis)
    implements Step {
}
