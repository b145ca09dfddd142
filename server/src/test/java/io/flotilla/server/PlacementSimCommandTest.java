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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlacementSimCommandTest {
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PlacementSimCommand command = new PlacementSimCommand(
      new PrintStream(outBytes, true, StandardCharsets.UTF_8),
      new PrintStream(errBytes, true, StandardCharsets.UTF_8));

  @TempDir
  Path dir;

  private Path file(String... lines) throws IOException {
    return Files.write(dir.resolve("s.txt"), List.of(lines));
  }

  private String out() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void runsAScenarioAndPrintsTheReport() throws IOException {
    Path f = file("stores 3", "ranges 60 size 40MiB", "add-stores 1 at round 1",
        "expect converged within 200 rounds");
    assertEquals(0, command.run(List.of(f.toString(), "--seed", "7")));
    assertTrue(out().startsWith("scenario s, seed 7: stores 3 -> 4, ranges 60 -> 60\n"), out());
    assertTrue(out().contains("\nreplica moves: "), out());
    assertTrue(out().contains("\nresult: OK\n"), out());
    assertTrue(out().contains("\nwall time: "), out());
  }

  @Test
  void aBadLineIsReportedWithItsFileAndLineNumber() throws IOException {
    Path f = file("stores 3", "ranges 60 size 8MiB", "kill-store three");
    assertEquals(2, command.run(List.of(f.toString())));
    assertEquals("flotilla placement-sim: " + f + ":3: expected a number (with an optional"
        + " unit), got 'three' (line: 'kill-store three')\n", err());
  }

  @Test
  void aMissingFileOrSeedIsAUsageError() {
    assertEquals(2, command.run(List.of()));
    assertTrue(err().startsWith("flotilla placement-sim: missing the scenario FILE\n"), err());
    assertEquals(2, command.run(List.of(dir.resolve("none.txt").toString())));
    assertTrue(err().contains("no scenario file '"), err());
    assertEquals(2, command.run(List.of("x.txt", "--seed", "abc")));
    assertTrue(err().contains("option '--seed' expects a number, got 'abc'"), err());
  }
}
