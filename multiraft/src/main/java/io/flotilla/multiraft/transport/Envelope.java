package io.flotilla.multiraft.transport;

import io.flotilla.raft.Message;

/**
 * A Raft message of one range, as the runtime hands it to the transport and gets it back.
 * Replica ids inside {@code message} are node ids: a node holds at most one replica of a range.
 *
 * @param rangeId the range (Raft group) the message belongs to
 * @param message the message; its {@code to()} is the receiving node
 * @param quiesce on a heartbeat only: the leader is going quiet, stop ticking the range
 */
public record Envelope(long rangeId, Message message, boolean quiesce) {
  public Envelope(long rangeId, Message message) {
    this(rangeId, message, false);
  }
}
