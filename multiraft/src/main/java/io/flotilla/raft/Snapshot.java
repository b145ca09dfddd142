package io.flotilla.raft;

/**
 * A point-in-time image of the application state up to {@code metadata.index()}.
 *
 * @param metadata log position and membership
 * @param data the application's state, opaque to the core
 */
public record Snapshot(SnapshotMetadata metadata, byte[] data) {
  public static final Snapshot EMPTY = new Snapshot(SnapshotMetadata.EMPTY, new byte[0]);

  /**
   * The snapshot a new group starts from: index 1, term 1, naming the initial members. A group
   * never starts at index 0, so that the leader's log always begins after a snapshot and a
   * member that joins later with empty storage receives the membership (in that snapshot)
   * before any entry; applying entries without it would let the joiner elect itself.
   */
  public static Snapshot bootstrap(ConfState members) {
    return new Snapshot(new SnapshotMetadata(1, 1, members), new byte[0]);
  }

  public boolean isEmpty() {
    return metadata.index() == 0;
  }

  public long index() {
    return metadata.index();
  }

  public long term() {
    return metadata.term();
  }

  @Override
  public String toString() {
    return "snapshot@" + metadata.term() + "/" + metadata.index() + " " + metadata.confState();
  }
}
