package io.flotilla.raft.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A data-driven script in etcd's datadriven layout:
 *
 * <pre>
 * # comments and blank lines between cases are kept as written
 * command arg key=value
 * ----
 * expected output, up to the next blank line or the end of the file
 * </pre>
 *
 * <p>Cases remember where their expected block sits, so that {@link #rewrite} can replace just
 * those lines and keep every comment: a rewritten file differs from the original only where the
 * behaviour changed, which makes the change reviewable.
 */
final class DataFile {
  /** The separator between a command and its expected output. */
  static final String SEPARATOR = "----";

  /**
   * One case.
   *
   * @param line 1-based line number of the command
   * @param command the parsed command
   * @param expected the expected output lines
   * @param from index (0-based) of the first expected line in the file
   * @param to index just past the last expected line
   */
  record Case(int line, Command command, List<String> expected, int from, int to) {}

  private final Path path;
  private final List<String> lines;
  private final List<Case> cases;

  private DataFile(Path path, List<String> lines, List<Case> cases) {
    this.path = path;
    this.lines = lines;
    this.cases = cases;
  }

  Path path() {
    return path;
  }

  List<Case> cases() {
    return cases;
  }

  static DataFile read(Path path) throws IOException {
    List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    return new DataFile(path, lines, parse(path.getFileName().toString(), lines));
  }

  static List<Case> parse(String name, List<String> lines) {
    List<Case> cases = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) {
        i++;
        continue;
      }
      int commandLine = i + 1;
      Command command;
      try {
        command = Command.parse(line.strip());
      } catch (ScenarioException e) {
        throw new ScenarioException(name + ":" + commandLine + ": " + e.getMessage());
      }
      i++;
      if (i >= lines.size() || !lines.get(i).equals(SEPARATOR)) {
        throw new ScenarioException(name + ":" + commandLine + ": expected '" + SEPARATOR
            + "' after the command '" + line + "'");
      }
      i++;
      int from = i;
      while (i < lines.size() && !lines.get(i).isEmpty()) {
        i++;
      }
      cases.add(new Case(commandLine, command, List.copyOf(lines.subList(from, i)), from, i));
    }
    return cases;
  }

  /** Writes the file back with each case's expected block replaced by {@code actual}. */
  void rewrite(List<List<String>> actual) throws IOException {
    if (actual.size() != cases.size()) {
      throw new IllegalArgumentException(cases.size() + " cases but " + actual.size()
          + " outputs");
    }
    List<String> out = new ArrayList<>();
    int pos = 0;
    for (int c = 0; c < cases.size(); c++) {
      out.addAll(lines.subList(pos, cases.get(c).from()));
      out.addAll(actual.get(c));
      pos = cases.get(c).to();
    }
    out.addAll(lines.subList(pos, lines.size()));
    Files.write(path, out, StandardCharsets.UTF_8);
  }
}
