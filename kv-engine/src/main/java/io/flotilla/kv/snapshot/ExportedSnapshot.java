package io.flotilla.kv.snapshot;

import io.flotilla.kv.StoreException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An exported range snapshot on the sender's disk: its manifest and its files, read back as
 * chunks. Send every chunk of {@link #chunks()}, resend a refused one with {@link #readChunk},
 * then send {@link #manifest()}. Closing deletes the files. Not thread-safe: one per transfer.
 */
public final class ExportedSnapshot implements AutoCloseable {
  private final Path storeDir;
  private final Path dir;
  private final SnapshotManifest manifest;
  private final int chunkBytes;
  private final SnapshotProgress progress;

  ExportedSnapshot(Path storeDir, Path dir, SnapshotManifest manifest, int chunkBytes,
      SnapshotProgress progress) {
    this.storeDir = storeDir;
    this.dir = dir;
    this.manifest = manifest;
    this.chunkBytes = chunkBytes;
    this.progress = progress;
  }

  public SnapshotManifest manifest() {
    return manifest;
  }

  /**
   * Every chunk of every file, in manifest order, read lazily so that only one chunk is in
   * memory; progress is reported as each one is handed out.
   */
  public Iterator<SnapshotChunk> chunks() {
    return new Iterator<>() {
      private int file;
      private long offset;
      private long done;

      @Override
      public boolean hasNext() {
        return file < manifest.files().size();
      }

      @Override
      public SnapshotChunk next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        SnapshotFile f = manifest.files().get(file);
        SnapshotChunk chunk = readChunk(f.name(), offset);
        offset += chunk.data().length;
        done += chunk.data().length;
        if (offset >= f.sizeBytes()) {
          file++;
          offset = 0;
        }
        progress.update(SnapshotProgress.Stage.STREAMING, done, manifest.totalBytes());
        return chunk;
      }
    };
  }

  /** The chunk of {@code fileName} that starts at {@code offset}, e.g. to resend it. */
  public SnapshotChunk readChunk(String fileName, long offset) {
    SnapshotFile f = manifest.files().stream().filter(x -> x.name().equals(fileName))
        .findFirst().orElseThrow(() -> new IllegalArgumentException(
            "snapshot " + SnapshotDirs.name(manifest.snapshotId()) + " has no file " + fileName));
    if (offset < 0 || offset >= f.sizeBytes()) {
      throw new IllegalArgumentException("offset " + offset + " is outside " + fileName
          + " (" + f.sizeBytes() + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(chunkBytes, f.sizeBytes() - offset));
    try (FileChannel ch = FileChannel.open(dir.resolve(fileName), StandardOpenOption.READ)) {
      while (buf.hasRemaining()) {
        if (ch.read(buf, offset + buf.position()) < 0) {
          throw new EOFException("file ends before " + (offset + buf.capacity()));
        }
      }
    } catch (IOException e) {
      throw new StoreException(storeDir, "cannot read " + fileName + " of snapshot "
          + SnapshotDirs.name(manifest.snapshotId()) + " at offset " + offset, e);
    }
    return SnapshotChunk.of(manifest.snapshotId(), fileName, f.cf(), offset, buf.array());
  }

  /** Deletes the exported files. */
  @Override
  public void close() {
    try {
      SnapshotDirs.deleteTree(dir);
    } catch (IOException e) {
      throw new StoreException(storeDir, "cannot delete exported snapshot " + dir, e);
    }
  }
}
