package io.flotilla.kv.snapshot;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * Exports a key span of a store as a range snapshot: SST files written from one RocksDB
 * snapshot, so the data, lock and write families agree with each other at a single point in
 * time whatever is written meanwhile. The RocksDB snapshot is held only while the files are
 * written (it pins old versions from compaction); the files then serve the whole transfer.
 */
public final class RangeSnapshotExporter {
  private RangeSnapshotExporter() {}

  /**
   * Writes the snapshot's files under {@code <store>/snapshots/outgoing/<id>/} and returns them
   * ready to stream. Close the result when the transfer ends, whether it succeeded or not.
   *
   * @param snapshotId unique among the snapshots in flight from this store and to the receiver
   *     (a directory of the same id is replaced)
   * @param context opaque bytes handed to the receiver in the manifest
   * @throws StoreException if RocksDB or the file system fails; nothing is left on disk then
   */
  public static ExportedSnapshot export(Store store, long snapshotId, KeySpan span,
      byte[] context, SnapshotOptions options, SnapshotProgress progress) {
    Snapshot at = store.db().getSnapshot();
    try {
      return export(store, snapshotId, span, context, options, progress, at);
    } finally {
      store.db().releaseSnapshot(at);
    }
  }

  /**
   * As {@link #export(Store, long, KeySpan, byte[], SnapshotOptions, SnapshotProgress)}, but
   * reads the store as of {@code at}, a RocksDB snapshot the caller took (and releases) at the
   * point the exported data must match, e.g. on the thread that applies writes, while the
   * slow part (writing the files) runs elsewhere.
   */
  public static ExportedSnapshot export(Store store, long snapshotId, KeySpan span,
      byte[] context, SnapshotOptions options, SnapshotProgress progress, Snapshot at) {
    Path dir = SnapshotDirs.outgoing(store).resolve(SnapshotDirs.name(snapshotId));
    try {
      SnapshotDirs.deleteTree(dir);
      Files.createDirectories(dir);
      List<SnapshotFile> files = writeFiles(store, span, dir, options, progress, at);
      SnapshotManifest manifest = new SnapshotManifest(SnapshotManifest.FORMAT_VERSION,
          snapshotId, span, files, context);
      return new ExportedSnapshot(store.dir(), dir, manifest, options.chunkBytes(), progress);
    } catch (IOException e) {
      discard(dir, e);
      throw new StoreException(store.dir(), "cannot export snapshot "
          + SnapshotDirs.name(snapshotId) + " of " + span, e);
    } catch (RuntimeException e) {
      discard(dir, e);
      throw e;
    }
  }

  private static List<SnapshotFile> writeFiles(Store store, KeySpan span, Path dir,
      SnapshotOptions options, SnapshotProgress progress, Snapshot snapshot) throws IOException {
    byte[] end = span.end();
    try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot).setFillCache(false);
        Slice upper = end == null ? null : new Slice(end);
        SstFileRoller roller = new SstFileRoller(dir, options.maxFileBytes(), progress)) {
      if (upper != null) {
        ro.setIterateUpperBound(upper);
      }
      for (Cf cf : KeySpan.DATA_CFS) {
        roller.startFamily(cf);
        try (RocksIterator it = store.newIterator(cf, ro)) {
          for (it.seek(span.start()); it.isValid(); it.next()) {
            roller.put(it.key(), it.value());
          }
          it.status(); // an iterator that stops early on corruption says so only here
        }
      }
      return roller.finish();
    } catch (RocksDBException e) {
      throw store.failure("export of " + span, e);
    }
  }

  private static void discard(Path dir, Exception cause) {
    try {
      SnapshotDirs.deleteTree(dir);
    } catch (IOException e) {
      cause.addSuppressed(e); // recover() removes what is left at the next open
    }
  }
}
