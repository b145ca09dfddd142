package io.flotilla.raft;

/**
 * Volatile state the application may want to observe (not persisted).
 *
 * @param leader the known leader, or {@link RaftNode#NONE}
 * @param role this member's role
 */
public record SoftState(long leader, Role role) {}
