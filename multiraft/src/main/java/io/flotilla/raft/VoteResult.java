package io.flotilla.raft;

/** The outcome of counting votes against a (possibly joint) configuration. */
enum VoteResult {
  PENDING,
  LOST,
  WON
}
