package io.flotilla.kv.snapshot;

/**
 * A range snapshot was refused: a corrupt or misaddressed chunk, or staged files that do not
 * match the manifest. The message names the snapshot, the file and, for a chunk, its offset.
 * Nothing of the snapshot is visible in the store when this is thrown.
 */
public final class SnapshotException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SnapshotException(String message) {
    super(message);
  }

  public SnapshotException(String message, Throwable cause) {
    super(message, cause);
  }
}
