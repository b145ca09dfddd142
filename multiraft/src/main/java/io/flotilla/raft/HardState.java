package io.flotilla.raft;

/**
 * The state a member must persist before it answers any message that depends on it.
 *
 * @param term the latest term this member has seen
 * @param vote the member voted for in {@code term}, or {@link RaftNode#NONE}
 * @param commit the highest index known to be committed
 */
public record HardState(long term, long vote, long commit) {
  public static final HardState EMPTY = new HardState(0, RaftNode.NONE, 0);

  public boolean isEmpty() {
    return equals(EMPTY);
  }
}
