package io.flotilla.multiraft.runtime;

/**
 * What this node knows of one of its ranges, published after every cycle for readers outside
 * the raft thread (routing, status, metrics).
 *
 * @param descriptor the range's span and members
 * @param leader the known leader's node id, or 0
 * @param term the replica's term
 * @param applied the applied index
 * @param quiescent whether the replica stopped ticking
 */
public record RangeInfo(RangeDescriptor descriptor, long leader, long term, long applied,
    boolean quiescent) {}
