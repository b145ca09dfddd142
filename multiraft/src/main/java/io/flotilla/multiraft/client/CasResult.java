package io.flotilla.multiraft.client;

/**
 * The outcome of a compare-and-set.
 *
 * @param succeeded whether the key held the expected value and now holds the new one
 * @param current the value found when the comparison was made (null: absent)
 */
public record CasResult(boolean succeeded, byte[] current) {}
