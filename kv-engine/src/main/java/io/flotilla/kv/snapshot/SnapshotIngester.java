package io.flotilla.kv.snapshot;

import io.flotilla.kv.Cf;
import io.flotilla.kv.Store;
import io.flotilla.kv.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.rocksdb.FlushOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.SstFileReader;
import org.rocksdb.SstFileReaderIterator;
import org.rocksdb.WriteBatch;

/**
 * Replaces a key span with a received snapshot so that a crash at any point leaves either the
 * old span or the new one in full. RocksDB cannot delete a span and ingest files in three column
 * families as one operation, so this is a redo protocol around a marker file in the snapshot's
 * staging directory {@code <store>/snapshots/incoming/<id>/}:
 *
 * <ol>
 *   <li><b>Stage.</b> Chunks are written into the staging directory; RocksDB is untouched.
 *   <li><b>Verify.</b> Each file's size and CRC32C match the manifest and its keys lie in the
 *       span; the files are fsynced.
 *   <li><b>Commit point.</b> The encoded manifest is written to {@code INGEST.tmp}, fsynced,
 *       atomically renamed to {@code INGEST}, and the directory fsynced. A crash before this
 *       leaves the old span, and {@link #recover} deletes the staging directory; a crash after
 *       it is finished by {@code recover}, which redoes step 4.
 *   <li><b>Apply</b> (idempotent). One write batch range-deletes the span in DATA, LOCK and
 *       WRITE and carries the caller's {@link AlongsideWrites}; those families and RAFT_STATE
 *       are flushed so that the deletion is in synced SST files, not only
 *       in the unsynced WAL (the store fsyncs the WAL only for raft batches); each family's files
 *       are ingested by copy, which syncs the copies and RocksDB's MANIFEST, and keeps the staged
 *       files for a redo. Ingested files get sequence numbers above the deletion, so they win.
 *   <li><b>Done.</b> {@code INGEST} is deleted and the directory fsynced, and only then the
 *       staged files, so that a marker never outlives its files.
 * </ol>
 *
 * <p>Readers must not read the span between steps 3 and 5 (the replica is applying a snapshot);
 * writers must not write to it. A failure inside step 4 leaves the marker, and the span is only
 * whole again after {@code recover} at the next open.
 */
final class SnapshotIngester {
  static final String MARKER = "INGEST";
  /** The data families and the one the alongside writes may use besides them. */
  private static final List<Cf> FLUSHED = List.of(Cf.DATA, Cf.LOCK, Cf.WRITE, Cf.RAFT_STATE);
  private static final String MARKER_TEMP = "INGEST.tmp";

  private SnapshotIngester() {}

  /** Checks the staged files against the manifest (step 2); changes nothing. */
  static void verify(Path staging, SnapshotManifest m) {
    String snapshot = "snapshot " + SnapshotDirs.name(m.snapshotId());
    for (SnapshotFile f : m.files()) {
      Path file = staging.resolve(f.name());
      try {
        long size = Files.size(file);
        if (size != f.sizeBytes()) {
          throw new SnapshotException(snapshot + ": file " + f.name() + " has " + size
              + " bytes, the manifest says " + f.sizeBytes());
        }
        int crc = SnapshotDirs.crc32c(file);
        if (crc != f.crc32c()) {
          throw new SnapshotException(String.format("%s: file %s has CRC32C %08x, the manifest"
              + " says %08x", snapshot, f.name(), crc, f.crc32c()));
        }
      } catch (IOException e) {
        throw new SnapshotException(snapshot + ": cannot read staged file " + file, e);
      }
      checkKeysInSpan(snapshot, file, m.span());
    }
  }

  /** Steps 3 to 5 for a verified snapshot. */
  static void ingest(Store store, Path staging, SnapshotManifest m, AlongsideWrites alongside,
      Consumer<CrashPoint> faults) {
    String snapshot = "snapshot " + SnapshotDirs.name(m.snapshotId());
    try {
      for (SnapshotFile f : m.files()) {
        SnapshotDirs.fsyncFile(staging.resolve(f.name()));
      }
      faults.accept(CrashPoint.VERIFIED);
      writeMarker(staging, m, faults);
    } catch (IOException e) {
      throw new StoreException(store.dir(), "cannot commit " + snapshot + "; the span is"
          + " unchanged", e);
    }
    apply(store, staging, m, alongside, faults);
    finish(store, staging, faults);
  }

  /**
   * Finishes every ingest whose marker is durable and deletes every other trace of snapshots
   * (half-received ones, and exports that were in progress). Run at store open, before any
   * snapshot is sent or received.
   *
   * @return the manifests of the ingests that were redone, in staging-directory order
   */
  static List<SnapshotManifest> recover(Store store, AlongsideWrites alongside,
      Consumer<CrashPoint> faults) {
    List<SnapshotManifest> redone = new ArrayList<>();
    try {
      SnapshotDirs.deleteTree(SnapshotDirs.outgoing(store));
      Path incoming = SnapshotDirs.incoming(store);
      if (!Files.isDirectory(incoming)) {
        return redone;
      }
      List<Path> staged;
      try (Stream<Path> s = Files.list(incoming)) {
        staged = s.sorted().toList();
      }
      for (Path staging : staged) {
        Path marker = staging.resolve(MARKER);
        if (!Files.exists(marker)) {
          SnapshotDirs.deleteTree(staging);
          continue;
        }
        SnapshotManifest m = readMarker(store, marker);
        try {
          verify(staging, m);
        } catch (SnapshotException e) {
          throw new StoreException(store.dir(), "cannot redo the ingest of span " + m.span()
              + ", which may be partly replaced: " + e.getMessage()
              + "; rebuild this store's replica of that range from another store", e);
        }
        apply(store, staging, m, alongside, faults);
        finish(store, staging, faults);
        redone.add(m);
      }
    } catch (IOException e) {
      throw new StoreException(store.dir(), "snapshot recovery failed", e);
    }
    return redone;
  }

  private static void writeMarker(Path staging, SnapshotManifest m, Consumer<CrashPoint> faults)
      throws IOException {
    Path temp = staging.resolve(MARKER_TEMP);
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(m.encode());
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    faults.accept(CrashPoint.MARKER_TEMP_SYNCED);
    Files.move(temp, staging.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE);
    SnapshotDirs.fsyncDir(staging);
    faults.accept(CrashPoint.MARKER_DURABLE);
  }

  private static SnapshotManifest readMarker(Store store, Path marker) throws IOException {
    try {
      return SnapshotManifest.decode(Files.readAllBytes(marker));
    } catch (IllegalArgumentException e) {
      // Written whole and synced before its rename, so damage here is the disk's doing.
      throw new StoreException(store.dir(), "ingest marker " + marker + " is corrupt: "
          + e.getMessage(), e);
    }
  }

  /** Step 4: delete the span, make the deletion durable, ingest. Safe to repeat. */
  private static void apply(Store store, Path staging, SnapshotManifest m,
      AlongsideWrites alongside, Consumer<CrashPoint> faults) {
    String what = "ingest of snapshot " + SnapshotDirs.name(m.snapshotId()) + " (the marker"
        + " stays; recover() redoes it at the next open)";
    try (WriteBatch batch = new WriteBatch();
        FlushOptions flush = new FlushOptions().setWaitForFlush(true);
        IngestExternalFileOptions copy = new IngestExternalFileOptions().setMoveFiles(false)) {
      for (Cf cf : KeySpan.DATA_CFS) {
        KeySpan.deleteIn(store, cf, m.span(), batch);
      }
      alongside.add(m, batch);
      store.write(batch);
      faults.accept(CrashPoint.SPAN_DELETED);
      store.db().flush(flush, FLUSHED.stream().map(store::handle).toList());
      faults.accept(CrashPoint.SPAN_DELETE_FLUSHED);
      for (Cf cf : KeySpan.DATA_CFS) {
        List<String> paths = m.files().stream().filter(f -> f.cf() == cf)
            .map(f -> staging.resolve(f.name()).toString()).toList();
        if (!paths.isEmpty()) {
          store.db().ingestExternalFile(store.handle(cf), paths, copy);
          faults.accept(CrashPoint.CF_INGESTED);
        }
      }
    } catch (RocksDBException e) {
      throw store.failure(what, e);
    }
  }

  private static void finish(Store store, Path staging, Consumer<CrashPoint> faults) {
    try {
      Files.delete(staging.resolve(MARKER));
      SnapshotDirs.fsyncDir(staging);
      faults.accept(CrashPoint.MARKER_REMOVED);
      SnapshotDirs.deleteTree(staging);
    } catch (IOException e) {
      throw new StoreException(store.dir(), "snapshot ingested, but cannot remove its staging"
          + " directory " + staging + " (recover() will)", e);
    }
  }

  private static void checkKeysInSpan(String snapshot, Path file, KeySpan span) {
    try (Options options = new Options(); SstFileReader reader = new SstFileReader(options)) {
      reader.open(file.toString());
      try (ReadOptions ro = new ReadOptions(); SstFileReaderIterator it = reader.newIterator(ro)) {
        it.seekToFirst();
        byte[] first = it.isValid() ? it.key() : null;
        it.seekToLast();
        byte[] last = it.isValid() ? it.key() : null;
        it.status();
        if (first == null || !span.contains(first) || !span.contains(last)) {
          throw new SnapshotException(snapshot + ": file " + file.getFileName()
              + " holds keys outside the span " + span + " (or none)");
        }
      }
    } catch (RocksDBException e) {
      throw new SnapshotException(snapshot + ": file " + file.getFileName()
          + " is not a readable SST file: " + e.getMessage(), e);
    }
  }
}
