package io.flotilla.multiraft.runtime;

/**
 * What applying one command produced, handed to the client that proposed it.
 *
 * @param ok for a compare-and-set: whether it matched and wrote; for an abandoned merge: false if
 *     the left range had already taken the right one's span; true for plain writes
 * @param current for a compare-and-set: the value found (null if absent)
 * @param error a deterministic refusal (e.g. a key outside the range after a split), or null
 */
public record ApplyResult(boolean ok, byte[] current, RuntimeException error) {
  static final ApplyResult OK = new ApplyResult(true, null, null);
}
