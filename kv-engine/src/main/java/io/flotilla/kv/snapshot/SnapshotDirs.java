package io.flotilla.kv.snapshot;

import io.flotilla.kv.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.zip.CRC32C;

/**
 * Where snapshots live on disk, and the file-system steps the ingest protocol relies on. Both
 * trees sit in the store's directory, so staging and ingesting never cross file systems:
 * {@code <store>/snapshots/outgoing/<id>/} (SST files being sent) and {@code
 * <store>/snapshots/incoming/<id>/} (files being received, and the ingest marker).
 */
final class SnapshotDirs {
  private SnapshotDirs() {}

  static Path root(Store store) {
    return store.dir().resolve("snapshots");
  }

  static Path outgoing(Store store) {
    return root(store).resolve("outgoing");
  }

  static Path incoming(Store store) {
    return root(store).resolve("incoming");
  }

  /** A snapshot's directory name: its id in 16 hex digits, so names sort and never clash. */
  static String name(long snapshotId) {
    return String.format("%016x", snapshotId);
  }

  /**
   * Creates {@code dir} and makes its entry durable in every directory up to the store's, so
   * that what is later synced inside it is reachable after a power loss.
   */
  static void createDurably(Store store, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Path p = dir; p != null && p.startsWith(store.dir()); p = p.getParent()) {
      fsyncDir(p);
    }
  }

  /** Makes the entries of {@code dir} (creations, renames, deletions) durable. */
  static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static void fsyncFile(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  static int crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        crc.update(buf, 0, n);
      }
    }
    return (int) crc.getValue();
  }

  /** Deletes {@code dir} and everything in it; nothing happens if it does not exist. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
