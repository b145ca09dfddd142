package io.flotilla.raft;

/**
 * A confirmed linearizable read: once the application has applied {@code index}, its state
 * reflects every write acknowledged before the read was requested.
 *
 * @param requestId the id the application passed to {@link RaftNode#readIndex}
 * @param index the commit index at which the read may be served
 */
public record ReadState(long requestId, long index) {}
