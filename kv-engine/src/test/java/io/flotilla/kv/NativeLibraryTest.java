package io.flotilla.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

class NativeLibraryTest {
  private static final URL URL = RocksDB.class.getClassLoader()
      .getResource(NativeLibrary.RESOURCE);

  @TempDir
  Path tmp;

  @Test
  void theLibraryIsExtractedOnceIntoADirectoryOnlyItsUserCanWrite() throws Exception {
    Path dir = NativeLibrary.extract(URL, tmp);
    Path lib = dir.resolve(NativeLibrary.LOADED_NAME);
    FileTime first = Files.getLastModifiedTime(lib);
    assertEquals(dir, NativeLibrary.extract(URL, tmp), "the same copy is reused");
    assertEquals(first, Files.getLastModifiedTime(lib), "and not written again");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(lib), files.toList(), "no partial copies are left behind");
    }
    assertEquals("rwx------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.getParent())));
  }

  @Test
  void aTruncatedCopyIsReplacedWhole() throws Exception {
    Path dir = NativeLibrary.extract(URL, tmp);
    Path lib = dir.resolve(NativeLibrary.LOADED_NAME);
    long size = Files.size(lib);
    try (var ch = Files.newByteChannel(lib, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(size / 2);
    }
    NativeLibrary.extract(URL, tmp);
    assertEquals(size, Files.size(lib));
  }

  @Test
  void aDirectoryOthersCanWriteIsNotUsed() throws Exception {
    Path base = tmp.resolve("flotilla-" + System.getProperty("user.name") + "-native");
    Files.createDirectory(base, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxrwxrwx")));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertNull(NativeLibrary.extract(URL, tmp));
  }
}
