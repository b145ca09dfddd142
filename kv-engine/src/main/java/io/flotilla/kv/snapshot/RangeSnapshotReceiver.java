package io.flotilla.kv.snapshot;

import io.flotilla.kv.Store;
import io.flotilla.kv.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The receiving side of range snapshots on one store: {@link #begin} one {@link
 * IncomingSnapshot} per transfer, and {@link #recover} once when the store opens. The ingest
 * protocol that makes a crash leave either the old or the new span is described on {@link
 * SnapshotIngester}. Thread-safe; each incoming snapshot is used by one thread at a time.
 */
public final class RangeSnapshotReceiver {
  private final Store store;
  private final Consumer<CrashPoint> faults;
  private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

  public RangeSnapshotReceiver(Store store) {
    this(store, point -> { });
  }

  /** With a fault hook that tests use to simulate a crash at a step of the protocol. */
  RangeSnapshotReceiver(Store store, Consumer<CrashPoint> faults) {
    this.store = store;
    this.faults = faults;
  }

  /**
   * Finishes every ingest that passed its commit point before a crash and deletes every other
   * trace of snapshots (half-received ones, exports in progress). Call once after opening the
   * store, before any snapshot is sent or received, and before the ranges are served.
   *
   * @return the manifests of the ingests redone, whose {@link SnapshotManifest#context()} tells
   *     the caller which range and raft index each one installed
   * @throws StoreException if a committed ingest cannot be redone; the message names the span
   */
  public static List<SnapshotManifest> recover(Store store) {
    return recover(store, AlongsideWrites.NONE);
  }

  /** As {@link #recover(Store)}, adding each redone ingest's {@code alongside} writes again. */
  public static List<SnapshotManifest> recover(Store store, AlongsideWrites alongside) {
    return SnapshotIngester.recover(store, alongside, point -> { });
  }

  /**
   * Starts receiving snapshot {@code snapshotId}; a leftover staging directory of an earlier,
   * abandoned attempt with that id is discarded.
   *
   * @throws IllegalStateException if that snapshot is already being received
   */
  public IncomingSnapshot begin(long snapshotId) {
    if (!inFlight.add(snapshotId)) {
      throw new IllegalStateException("snapshot " + SnapshotDirs.name(snapshotId)
          + " is already being received");
    }
    Path staging = SnapshotDirs.incoming(store).resolve(SnapshotDirs.name(snapshotId));
    try {
      if (Files.exists(staging.resolve(SnapshotIngester.MARKER))) {
        throw new StoreException(store.dir(), "snapshot " + SnapshotDirs.name(snapshotId)
            + " has an unfinished ingest; recover() must run before it is received again");
      }
      SnapshotDirs.deleteTree(staging);
      // Durable from the start: the marker written into it later must survive a power loss.
      SnapshotDirs.createDurably(store, staging);
      return new IncomingSnapshot(this, store, snapshotId, staging, faults);
    } catch (IOException e) {
      inFlight.remove(snapshotId);
      throw new StoreException(store.dir(), "cannot create staging directory " + staging, e);
    } catch (RuntimeException e) {
      inFlight.remove(snapshotId);
      throw e;
    }
  }

  void ended(long snapshotId) {
    inFlight.remove(snapshotId);
  }
}
