package io.flotilla.raft;

/** One member of one Raft group: the pure state machine. */
public final class RaftNode {
  /** The id that means "nobody": no vote, no known leader. */
  public static final long NONE = 0;

  public RaftNode(RaftConfig config, Storage storage) {
    throw new UnsupportedOperationException("in progress");
  }

  public long id() { throw new UnsupportedOperationException(); }
  public long term() { throw new UnsupportedOperationException(); }
  public long leader() { throw new UnsupportedOperationException(); }
  public Role role() { throw new UnsupportedOperationException(); }
  public long commitIndex() { throw new UnsupportedOperationException(); }
  public long lastIndex() { throw new UnsupportedOperationException(); }
  public RaftStatus status() { throw new UnsupportedOperationException(); }
  public void tick() { throw new UnsupportedOperationException(); }
  public void campaign() { throw new UnsupportedOperationException(); }
  public void step(Message m) { throw new UnsupportedOperationException(); }
  public ProposalId propose(byte[] data) { throw new UnsupportedOperationException(); }
  public ProposalId proposeConfChange(ConfChange cc) { throw new UnsupportedOperationException(); }
  public void readIndex(long requestId) { throw new UnsupportedOperationException(); }
  public void transferLeadership(long target) { throw new UnsupportedOperationException(); }
  public ConfState applyConfChange(ConfChange cc) { throw new UnsupportedOperationException(); }
  public void reportSnapshot(long peer, boolean succeeded) { throw new UnsupportedOperationException(); }
  public void reportUnreachable(long peer) { throw new UnsupportedOperationException(); }
  public boolean hasReady() { throw new UnsupportedOperationException(); }
  public Ready ready() { throw new UnsupportedOperationException(); }
  public void advance(Ready rd) { throw new UnsupportedOperationException(); }
}
