package io.flotilla.kv.snapshot;

/** Receives the progress of an export, for logs, metrics and the dashboard. */
@FunctionalInterface
public interface SnapshotProgress {
  SnapshotProgress NONE = (stage, doneBytes, totalBytes) -> { };

  /** Where an export is. */
  enum Stage {
    /** SST files are being written; reported after each file, total unknown (-1). */
    WRITING,
    /** Chunks are being handed out; reported after each chunk, total exact. */
    STREAMING
  }

  /**
   * Called on the exporting thread; must be quick and must not throw.
   *
   * @param doneBytes bytes of SST files written (WRITING) or of chunks handed out (STREAMING)
   * @param totalBytes the snapshot's total size, or -1 while it is not known yet
   */
  void update(Stage stage, long doneBytes, long totalBytes);
}
