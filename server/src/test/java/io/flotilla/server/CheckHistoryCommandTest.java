package io.flotilla.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code flotilla check-history} reproduces every verdict of the etcd Jepsen histories. */
class CheckHistoryCommandTest {
  /** The histories live with the checker's own tests, in the multiraft module. */
  private static final Path HISTORIES = Path.of(System.getProperty("basedir", "."))
      .resolve("../multiraft/src/test/resources/jepsen/etcd").normalize();

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final Main main = new Main(stream(outBytes), stream(errBytes), 2);

  @TempDir
  Path dir;

  private static PrintStream stream(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }

  private int run(String... args) {
    return main.run(List.of(args));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  static Stream<Arguments> verdicts() throws IOException {
    return Files.readAllLines(HISTORIES.resolve("verdicts.txt")).stream()
        .filter(l -> !l.isBlank()).map(l -> l.trim().split("\\s+"))
        .map(f -> Arguments.of(f[0], Boolean.parseBoolean(f[1])));
  }

  @ParameterizedTest(name = "{0} linearizable={1}")
  @MethodSource("verdicts")
  void printsTheVerdictOfEveryEtcdHistory(String file, boolean linearizable) {
    int code = run("check-history", HISTORIES.resolve(file).toString());
    String first = out().lines().findFirst().orElse("");
    assertEquals(linearizable ? "linearizable" : "not linearizable", first, out() + err());
    assertEquals(linearizable ? 0 : 1, code);
    assertEquals("", err());
  }

  @Test
  void aViolationIsExplained() throws IOException {
    Path f = dir.resolve("stale.log");
    Files.write(f, List.of(
        "INFO  jepsen.util - 0\t:invoke\t:write\t1",
        "INFO  jepsen.util - 0\t:ok\t:write\t1",
        "INFO  jepsen.util - 1\t:invoke\t:read\tnil",
        "INFO  jepsen.util - 1\t:ok\t:read\t2"));
    assertEquals(1, run("check-history", f.toString()));
    List<String> lines = out().lines().toList();
    assertEquals("not linearizable", lines.get(0));
    assertTrue(lines.size() >= 3 && !lines.get(1).isBlank(), out());
    assertTrue(out().contains("2 operations (0 with unknown outcome)"), out());
  }

  @Test
  void aMissingOrGarbledFileIsAnErrorNotAVerdict() throws IOException {
    Path missing = dir.resolve("nope.log");
    assertEquals(2, run("check-history", missing.toString()));
    assertEquals("flotilla check-history: cannot read " + missing + ": no such file\n", err());
    assertEquals("", out());

    errBytes.reset();
    Path garbled = dir.resolve("garbled.log");
    Files.write(garbled, List.of("INFO  jepsen.util - 0\t:invoke\t:read\tnil", "hello"));
    assertEquals(2, run("check-history", garbled.toString()));
    assertEquals("flotilla check-history: " + garbled + " is not a Jepsen register history:"
        + " line 2: unrecognised: hello\n", err());

    errBytes.reset();
    Path empty = dir.resolve("empty.log");
    Files.write(empty, List.of("", ""));
    assertEquals(2, run("check-history", empty.toString()));
    assertTrue(err().contains("holds no events"), err());

    errBytes.reset();
    Files.write(garbled, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    assertEquals(2, run("check-history", garbled.toString()));
    assertTrue(err().contains("not UTF-8 text"), err());
  }

  @Test
  void argumentsAreChecked() {
    assertEquals(2, run("check-history"));
    assertTrue(err().startsWith("flotilla check-history: which file?"), err());
    errBytes.reset();
    assertEquals(2, run("check-history", "a.log", "b.log"));
    assertTrue(err().startsWith("flotilla check-history: unexpected argument 'b.log'"), err());
    errBytes.reset();
    assertEquals(2, run("check-history", "a.log", "--budget", "lots"));
    assertTrue(err().startsWith("flotilla check-history: option '--budget' expects a whole"),
        err());
    assertEquals(0, run("check-history", "--help"));
    assertTrue(out().startsWith("usage: flotilla check-history FILE"), out());
  }

  @Test
  void aTinyBudgetIsUndecidedNotAVerdict() {
    assertEquals(3, run("check-history", HISTORIES.resolve("etcd_002.log").toString(),
        "--budget", "10"));
    assertEquals("undecided", out().lines().findFirst().orElse(""), out());
  }
}
