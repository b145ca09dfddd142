package io.flotilla.raft;

/** The role a member plays in its current term. */
public enum Role {
  FOLLOWER,
  /** Asking for pre-votes: its term is not yet raised, so a failed attempt disturbs nobody. */
  PRE_CANDIDATE,
  CANDIDATE,
  LEADER
}
