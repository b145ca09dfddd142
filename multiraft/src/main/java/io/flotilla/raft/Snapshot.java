package io.flotilla.raft;

/**
 * A point-in-time image of the application state up to {@code metadata.index()}.
 *
 * @param metadata log position and membership
 * @param data the application's state, opaque to the core
 */
public record Snapshot(SnapshotMetadata metadata, byte[] data) {
  public static final Snapshot EMPTY = new Snapshot(SnapshotMetadata.EMPTY, new byte[0]);

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
