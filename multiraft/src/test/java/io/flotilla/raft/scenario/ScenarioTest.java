package io.flotilla.raft.scenario;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every {@code testdata/*.txt} scenario as one test named by its file. With
 * {@code -Drewrite=true} it writes the actual outputs back into the source files instead of
 * comparing (then review the diff: the expected output is the assertion).
 */
class ScenarioTest {
  private static final boolean REWRITE = Boolean.getBoolean("rewrite");
  /** Mismatches shown in full per file; later ones usually follow from the first. */
  private static final int MAX_SHOWN = 3;

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException {
    Path dir = testdataDir();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    if (files.isEmpty()) {
      fail("no scenario files in " + dir);
    }
    return files.stream().map(f ->
        DynamicTest.dynamicTest(f.getFileName().toString(), f.toUri(), () -> run(f)));
  }

  private static void run(Path file) throws IOException {
    DataFile df = DataFile.read(file);
    String name = file.getFileName().toString();
    ScenarioEnv env = new ScenarioEnv();
    List<List<String>> actual = new ArrayList<>();
    List<String> mismatches = new ArrayList<>();
    for (DataFile.Case c : df.cases()) {
      List<String> got;
      try {
        got = Commands.run(env, c.command());
      } catch (RuntimeException e) {
        // A script mistake or an exception from the core: never expected output.
        throw new AssertionError(name + ":" + c.line() + ": '" + c.command().line() + "' threw "
            + e, e);
      }
      actual.add(got);
      if (!got.equals(c.expected())) {
        mismatches.add(name + ":" + c.line() + ": " + c.command().line() + "\n"
            + "--- expected\n+++ actual\n" + LineDiff.diff(c.expected(), got));
      }
    }
    if (REWRITE) {
      df.rewrite(actual);
      return;
    }
    if (!mismatches.isEmpty()) {
      StringBuilder sb = new StringBuilder(mismatches.size() + " case(s) of " + name
          + " differ (rerun with -Drewrite=true to accept, after review):\n\n");
      mismatches.stream().limit(MAX_SHOWN).forEach(m -> sb.append(m).append('\n'));
      if (mismatches.size() > MAX_SHOWN) {
        sb.append("... and ").append(mismatches.size() - MAX_SHOWN).append(" more\n");
      }
      fail(sb.toString());
    }
  }

  /**
   * The source directory, so that rewrite edits the checked-in files (surefire runs in the
   * module directory and sets {@code basedir}); the classpath copy is the read-only fallback.
   */
  private static Path testdataDir() throws IOException {
    String base = System.getProperty("basedir", System.getProperty("user.dir"));
    for (String rel : List.of("src/test/resources/testdata",
        "multiraft/src/test/resources/testdata")) {
      Path p = Path.of(base, rel);
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    if (REWRITE) {
      throw new IOException("rewrite needs the source testdata directory; not found under "
          + base);
    }
    URL url = ScenarioTest.class.getClassLoader().getResource("testdata");
    if (url == null) {
      throw new IOException("no testdata directory on the classpath");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
  }
}
