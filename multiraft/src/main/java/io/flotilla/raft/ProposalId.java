package io.flotilla.raft;

/**
 * Where an accepted proposal was placed in the leader's log. The proposal took effect if and only
 * if an entry with this term and index is applied; an applied entry at this index with another
 * term means it was lost to a leader change.
 */
public record ProposalId(long term, long index) {}
