package io.flotilla.kv.snapshot;

import io.flotilla.kv.Store;
import io.flotilla.kv.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One range snapshot being received: {@link #accept} each chunk (in any order, resent ones
 * included), then {@link #complete} with the manifest to verify and ingest it, and {@link
 * #close} in any case. Until {@code complete} passes its commit point the store is untouched and
 * the chunks live only in the staging directory. Not thread-safe: one per transfer stream.
 */
public final class IncomingSnapshot implements AutoCloseable {
  private final RangeSnapshotReceiver receiver;
  private final Store store;
  private final long id;
  private final Path staging;
  private final Consumer<CrashPoint> faults;
  private final Set<String> received = new TreeSet<>();
  private long bytesReceived;
  private SnapshotManifest verified;
  private boolean ended;

  IncomingSnapshot(RangeSnapshotReceiver receiver, Store store, long id, Path staging,
      Consumer<CrashPoint> faults) {
    this.receiver = receiver;
    this.store = store;
    this.id = id;
    this.staging = staging;
    this.faults = faults;
  }

  /** Bytes of chunks accepted so far, resends counted again. */
  public long bytesReceived() {
    return bytesReceived;
  }

  /**
   * Writes a chunk into the staging directory after checking its CRC32C.
   *
   * @throws SnapshotException if the chunk is corrupt or misaddressed; the message names the
   *     file and offset, nothing was written, and the sender may resend the chunk
   */
  public void accept(SnapshotChunk chunk) {
    checkActive();
    String what = "snapshot " + SnapshotDirs.name(id) + ": " + chunk;
    if (chunk.snapshotId() != id) {
      throw new SnapshotException(what + " belongs to snapshot "
          + SnapshotDirs.name(chunk.snapshotId()));
    }
    try {
      SnapshotFile.checkName(chunk.fileName(), chunk.cf());
    } catch (IllegalArgumentException e) {
      throw new SnapshotException(what + " is refused: " + e.getMessage());
    }
    if (chunk.data().length > SnapshotOptions.MAX_CHUNK_BYTES) {
      throw new SnapshotException(what + " exceeds the limit of "
          + SnapshotOptions.MAX_CHUNK_BYTES + " bytes");
    }
    int crc = SnapshotChunk.crc32c(chunk.data());
    if (crc != chunk.crc32c()) {
      throw new SnapshotException(String.format("%s is corrupt: its CRC32C is %08x, the sender"
          + " computed %08x; resend it", what, crc, chunk.crc32c()));
    }
    Path file = staging.resolve(chunk.fileName());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(chunk.data());
      while (buf.hasRemaining()) {
        ch.write(buf, chunk.offset() + buf.position());
      }
    } catch (IOException e) {
      throw new StoreException(store.dir(), "cannot stage " + what, e);
    }
    received.add(chunk.fileName());
    bytesReceived += chunk.data().length;
  }

  /**
   * Verifies the staged files against {@code manifest} and replaces the manifest's span in the
   * store with them. Returns once the new span is durable.
   *
   * @throws SnapshotException if a file is missing, extra, of the wrong size or checksum, or
   *     holds keys outside the span; the snapshot is then discarded and the store unchanged
   * @throws StoreException if the store fails; if it failed after the commit point the span is
   *     incomplete until {@link RangeSnapshotReceiver#recover} runs at the next open
   */
  public void complete(SnapshotManifest manifest) {
    complete(manifest, AlongsideWrites.NONE);
  }

  /**
   * As {@link #complete(SnapshotManifest)}, making {@code alongside}'s writes atomically with
   * the span's replacement (and again if a crash makes {@link RangeSnapshotReceiver#recover}
   * redo it).
   */
  public void complete(SnapshotManifest manifest, AlongsideWrites alongside) {
    if (!manifest.equals(verified)) {
      verify(manifest);
    }
    SnapshotIngester.ingest(store, staging, manifest, alongside, faults);
    ended = true;
    receiver.ended(id);
  }

  /**
   * Verifies the staged files against {@code manifest} without touching the store, so that the
   * caller can decide to ingest knowing the files are whole; {@link #complete} with the same
   * manifest then does not read them again.
   *
   * @throws SnapshotException as {@link #complete} does; the snapshot is then discarded
   */
  public void verify(SnapshotManifest manifest) {
    checkActive();
    try {
      checkManifest(manifest);
      SnapshotIngester.verify(staging, manifest);
    } catch (SnapshotException e) {
      close();
      throw e;
    }
    verified = manifest;
  }

  private void checkManifest(SnapshotManifest m) {
    String snapshot = "snapshot " + SnapshotDirs.name(id);
    if (m.snapshotId() != id) {
      throw new SnapshotException(snapshot + ": got the manifest of snapshot "
          + SnapshotDirs.name(m.snapshotId()));
    }
    if (m.formatVersion() > SnapshotManifest.FORMAT_VERSION) {
      throw new SnapshotException(snapshot + ": format " + m.formatVersion() + " is newer"
          + " than this build ingests (" + SnapshotManifest.FORMAT_VERSION + ")");
    }
    Set<String> listed = new HashSet<>();
    for (SnapshotFile f : m.files()) {
      listed.add(f.name());
      if (!received.contains(f.name())) {
        throw new SnapshotException(snapshot + ": file " + f.name()
            + " is in the manifest but no chunk of it arrived");
      }
    }
    for (String name : received) {
      if (!listed.contains(name)) {
        throw new SnapshotException(snapshot + ": file " + name
            + " arrived but is not in the manifest");
      }
    }
  }

  private void checkActive() {
    if (ended) {
      throw new IllegalStateException("snapshot " + SnapshotDirs.name(id) + " has ended");
    }
  }

  /**
   * Ends the transfer. If it did not complete, the staged files are deleted — unless the
   * commit point was passed, in which case they stay for {@link RangeSnapshotReceiver#recover}.
   */
  @Override
  public void close() {
    if (ended) {
      return;
    }
    ended = true;
    receiver.ended(id);
    if (Files.exists(staging.resolve(SnapshotIngester.MARKER))) {
      return;
    }
    try {
      SnapshotDirs.deleteTree(staging);
    } catch (IOException e) {
      throw new StoreException(store.dir(), "cannot discard staging directory " + staging
          + " (recover() will)", e);
    }
  }
}
