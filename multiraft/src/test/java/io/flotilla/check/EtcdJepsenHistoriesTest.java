package io.flotilla.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.check.CheckResult.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The checker must reproduce Porcupine's verdict on every Jepsen etcd history. */
class EtcdJepsenHistoriesTest {
  private static final String DIR = "/jepsen/etcd/";
  private static final int HISTORIES = 82;
  /** About seven times what the hardest of these histories needs (etcd_002: 1.36 million). */
  private static final long BUDGET = 10_000_000;

  static Stream<Arguments> histories() throws IOException {
    return verdictLines().stream()
        .map(line -> line.trim().split("\\s+"))
        .map(f -> Arguments.of(f[0], Boolean.parseBoolean(f[1])));
  }

  @ParameterizedTest(name = "{0} linearizable={1}")
  @MethodSource("histories")
  void reproducesVerdict(String file, boolean linearizable) throws IOException {
    List<Operation<RegisterModel.Input, RegisterModel.Output>> history =
        JepsenLogParser.parse(lines(file));
    CheckResult result = LinearizabilityChecker.check(new RegisterModel(), history, BUDGET);
    Verdict expected = linearizable ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE;
    assertEquals(expected, result.verdict(), () -> file + ": " + result);
  }

  @Test
  void everyHistoryHasAVerdict() throws IOException, URISyntaxException {
    Path dir = Path.of(Objects.requireNonNull(getClass().getResource(DIR)).toURI());
    Set<String> logs;
    try (Stream<Path> files = Files.list(dir)) {
      logs =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".log"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    Set<String> judged =
        verdictLines().stream()
            .map(line -> line.trim().split("\\s+")[0])
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(logs, judged);
    assertEquals(HISTORIES, logs.size());
  }

  private static List<String> verdictLines() throws IOException {
    return lines("verdicts.txt").stream().filter(l -> !l.isBlank()).toList();
  }

  private static List<String> lines(String file) throws IOException {
    try (InputStream in = EtcdJepsenHistoriesTest.class.getResourceAsStream(DIR + file)) {
      if (in == null) {
        throw new IOException("missing test resource " + DIR + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }
}
