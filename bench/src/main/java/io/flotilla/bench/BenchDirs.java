package io.flotilla.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch directories for the storage benchmarks. They live under the system property
 * {@code flotilla.bench.dir} (default: {@code java.io.tmpdir}), which must be on a real disk,
 * not tmpfs: an fsync on tmpfs costs nothing and the numbers would say nothing about the WAL.
 */
final class BenchDirs {
  private BenchDirs() {}

  /** A fresh directory, announced with the file system it is on. */
  static Path create(String prefix) {
    try {
      Path base = Paths.get(System.getProperty("flotilla.bench.dir",
          System.getProperty("java.io.tmpdir")));
      Files.createDirectories(base);
      Path dir = Files.createTempDirectory(base, prefix);
      FileStore fs = Files.getFileStore(dir);
      System.out.println("[flotilla] scratch dir " + dir + " on " + fs.name() + " (" + fs.type()
          + ")");
      if ("tmpfs".equals(fs.type()) || "ramfs".equals(fs.type())) {
        System.out.println("[flotilla] WARNING: " + fs.type() + " has no real fsync; set"
            + " -Dflotilla.bench.dir=<a directory on a disk> (via -jvmArgsAppend)");
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} and everything in it; missing is fine. */
  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Total size in bytes of the regular files under {@code dir}. */
  static long size(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
