package io.flotilla.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core must stay a pure state machine (architecture memo, boundary 1): no threads, clocks,
 * sockets, disk or global randomness. Checked on both the sources and the compiled classes, so
 * neither an import nor a fully qualified name nor a library call slips through.
 */
class CoreIsolationTest {
  private static final Path SOURCES = Path.of("src/main/java/io/flotilla/raft");
  private static final Path CLASSES = Path.of("target/classes/io/flotilla/raft");

  private static final Pattern FORBIDDEN_SOURCE = Pattern.compile(
      "java\\.util\\.concurrent|java\\.time|java\\.io\\b|java\\.nio|java\\.net\\b"
          + "|java\\.util\\.Random\\b|Thread\\b|System\\.(currentTimeMillis|nanoTime)"
          + "|Math\\.random|synchronized");

  private static final List<String> FORBIDDEN_BYTECODE = List.of(
      "java/util/concurrent/", "java/time/", "java/io/File", "java/io/InputStream",
      "java/io/OutputStream", "java/io/Reader", "java/io/Writer", "java/nio/", "java/net/",
      "java/util/Random;", "java/util/Random\u0000", "java/lang/Thread", "currentTimeMillis",
      "nanoTime");

  @Test
  void sourcesImportNothingThatDoesIo() throws IOException {
    List<String> offences = new ArrayList<>();
    List<Path> files = list(SOURCES, ".java");
    assertTrue(files.size() > 10, "found the core's sources in " + SOURCES.toAbsolutePath());
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.trim().startsWith("*") || line.trim().startsWith("//")) {
          continue;
        }
        if (FORBIDDEN_SOURCE.matcher(line).find()) {
          offences.add(f.getFileName() + ":" + (i + 1) + ": " + line.trim());
        }
      }
    }
    assertEquals(List.of(), offences, "the Raft core must not use threads, clocks or I/O");
  }

  @Test
  void compiledClassesReferenceNothingThatDoesIo() throws IOException {
    List<String> offences = new ArrayList<>();
    List<Path> files = list(CLASSES, ".class");
    assertTrue(files.size() > 10, "found the core's classes in " + CLASSES.toAbsolutePath());
    for (Path f : files) {
      String constants = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String bad : FORBIDDEN_BYTECODE) {
        if (constants.contains(bad)) {
          offences.add(f.getFileName() + " references " + bad.replace("\u0000", ""));
        }
      }
    }
    assertEquals(List.of(), offences, "the Raft core must not use threads, clocks or I/O");
  }

  private static List<Path> list(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }
}
