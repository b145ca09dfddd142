package io.flotilla.placement.operator;

/**
 * Split the range at {@code key}, or, when {@code key} is null, at the key its leader finds
 * that halves its bytes (only the store knows its data).
 */
public record SplitAt(long rangeId, long generation, byte[] key) implements Step {
}
