package io.flotilla.kv;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * Loads RocksDB's native library from one extracted copy per library build and user.
 *
 * <p>{@link RocksDB#loadLibrary()} extracts the 15 MB library to a new temporary file on every
 * JVM start and removes it only at a clean exit: every killed process (the crash and fault tests
 * kill dozens per run; operators kill nodes) leaves one behind, and /tmp fills up. Here the copy
 * is named after the jar entry's CRC and size, written under a temporary name and renamed into
 * place, so concurrent starts never load a half-written file. The directory belongs to this user
 * and is closed to others (a library others could replace would run as us); anything unexpected
 * falls back to RocksDB's own loader.
 */
final class NativeLibrary {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private NativeLibrary() {}

  /** The library's name in the rocksdbjni jar. */
  static final String RESOURCE = Environment.getJniLibraryFileName("rocksdb");
  /**
   * The name {@link RocksDB#loadLibrary(List)} looks for in each directory: it asks for
   * "rocksdbjni" and gets one "jni" more than the jar's own name.
   */
  static final String LOADED_NAME = Environment.getJniLibraryFileName("rocksdbjni");

  static void load() {
    URL url = RocksDB.class.getClassLoader().getResource(RESOURCE);
    Path dir;
    try {
      dir = url == null || !"jar".equals(url.getProtocol()) ? null
          : extract(url, Path.of(System.getProperty("java.io.tmpdir")));
    } catch (IOException | RuntimeException e) {
      dir = null;
    }
    if (dir == null) {
      RocksDB.loadLibrary();
    } else {
      RocksDB.loadLibrary(List.of(dir.toString()));
    }
  }

  /** The directory holding the extracted library, or null where a private one cannot be had. */
  static Path extract(URL url, Path tmp) throws IOException {
    JarURLConnection jar = (JarURLConnection) url.openConnection();
    jar.setUseCaches(false);
    JarEntry entry = jar.getJarEntry();
    Path base = tmp.resolve("flotilla-" + System.getProperty("user.name") + "-native");
    if (!privateDirectory(base)) {
      return null;
    }
    Path dir = base.resolve("rocksdbjni-" + Long.toHexString(entry.getCrc()) + "-"
        + entry.getSize());
    Files.createDirectories(dir);
    Path lib = dir.resolve(LOADED_NAME);
    if (Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS) && Files.size(lib) == entry.getSize()) {
      return dir;
    }
    Path part = Files.createTempFile(dir, LOADED_NAME, ".part");
    try (InputStream in = jar.getInputStream()) {
      Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
      Files.move(part, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(part);
    }
    return dir;
  }

  private static boolean privateDirectory(Path base) throws IOException {
    try {
      Files.createDirectory(base, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (FileAlreadyExistsException e) {
      // Made by an earlier start, or by someone else: checked below.
    }
    return Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)
        && Files.getOwner(base, LinkOption.NOFOLLOW_LINKS).getName()
            .equals(System.getProperty("user.name"))
        && Files.getPosixFilePermissions(base, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY);
  }
}
