package io.flotilla.placement.sim;

import io.flotilla.placement.model.PlacementSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a scenario file: one directive per line, {@code #} starts a comment. Quantities take
 * units: sizes {@code B, KiB, MiB, GiB}; durations {@code ms, s, m, h} (as milliseconds);
 * fractions {@code 40%}. Events happen at round 0 unless {@code at round N} follows them.
 *
 * <pre>
 * name adding-stores                  the report's title (default: the file name)
 * stores 5                            stores at the start (required)
 * ranges 1000 size 32MiB              ranges and their mean size (required)
 * load writes 20000 skew 1.0          total writes/s, Zipf-distributed over the ranges
 * rounds 1000                         give up after this many rounds (10 simulated s each)
 * set max-snapshots-per-store 4       any PlacementSettings name, e.g. store-dead-after 60s
 * add-stores 2 [at round N]
 * kill-store 3 [at round N]
 * decommission 3 [at round N]
 * drain 3 [at round N]
 * hot-range 17 writes 5000 [at round N]
 * drop-data 40% [at round N]          the leftmost 40% of the ranges lose their data
 * expect converged within 200 rounds  counted from the last event
 * expect moves at most 1.5x minimum   replica moves over the computed lower bound
 * </pre>
 */
public final class ScenarioParser {
  private final String source;
  private int lineNumber;
  private String line;
  private String name;
  private int stores;
  private int ranges;
  private long rangeBytes;
  private double writes;
  private double skew = 1.0;
  private int maxRounds = 1000;
  private int convergeWithin;
  private double movesFactor;
  private final List<SimEvent> events = new ArrayList<>();
  private final PlacementSettings.Builder settings = PlacementSettings.builder();

  private ScenarioParser(String source, String defaultName) {
    this.source = source;
    this.name = defaultName;
  }

  public static Scenario parse(Path file) throws IOException {
    String fileName = file.getFileName().toString().replaceFirst("\\.txt$", "");
    return parse(file.toString(), fileName, Files.readAllLines(file));
  }

  /** @param source names the text in errors, e.g. its path */
  public static Scenario parse(String source, String defaultName, List<String> lines) {
    ScenarioParser p = new ScenarioParser(source, defaultName);
    for (String raw : lines) {
      p.lineNumber++;
      p.line = raw.replaceFirst("#.*", "").strip();
      if (!p.line.isEmpty()) {
        p.directive(p.line.split("\\s+"));
      }
    }
    return p.finish();
  }

  private void directive(String[] w) {
    switch (w[0]) {
      case "name" -> name = String.join(" ", List.of(w).subList(1, w.length));
      case "stores" -> stores = (int) positive(expect(w, 2, "stores <count>")[1]);
      case "ranges" -> {
        expect(w, 4, "ranges <count> size <size>");
        ranges = (int) positive(w[1]);
        keyword(w[2], "size", "ranges <count> size <size>");
        rangeBytes = (long) quantity(w[3]);
      }
      case "load" -> {
        expect(w, 5, "load writes <per second> skew <exponent>");
        keyword(w[1], "writes", "load writes <per second> skew <exponent>");
        keyword(w[3], "skew", "load writes <per second> skew <exponent>");
        writes = quantity(w[2]);
        skew = quantity(w[4]);
      }
      case "rounds" -> maxRounds = (int) positive(expect(w, 2, "rounds <count>")[1]);
      case "set" -> {
        expect(w, 3, "set <setting> <value>");
        try {
          settings.set(w[1], quantity(w[2]));
        } catch (IllegalArgumentException e) {
          throw error(e.getMessage());
        }
      }
      case "expect" -> expectation(w);
      default -> events.add(event(w));
    }
  }

  private SimEvent event(String[] w) {
    int round = 0;
    int n = w.length;
    if (n >= 3 && w[n - 3].equals("at") && w[n - 2].equals("round")) {
      round = (int) quantity(w[n - 1]);
      n -= 3;
    }
    String[] e = List.of(w).subList(0, n).toArray(String[]::new);
    return switch (e[0]) {
      case "add-stores" -> new SimEvent.AddStores(round,
          (int) positive(expect(e, 2, "add-stores <count> [at round <n>]")[1]));
      case "kill-store" -> new SimEvent.KillStore(round,
          (long) positive(expect(e, 2, "kill-store <store id> [at round <n>]")[1]));
      case "decommission" -> new SimEvent.Decommission(round,
          (long) positive(expect(e, 2, "decommission <store id> [at round <n>]")[1]));
      case "drain" -> new SimEvent.Drain(round,
          (long) positive(expect(e, 2, "drain <store id> [at round <n>]")[1]));
      case "hot-range" -> {
        String usage = "hot-range <range id> writes <per second> [at round <n>]";
        expect(e, 4, usage);
        keyword(e[2], "writes", usage);
        yield new SimEvent.HotRange(round, (long) positive(e[1]), quantity(e[3]));
      }
      case "drop-data" -> {
        double f = quantity(expect(e, 2, "drop-data <percent>% [at round <n>]")[1]);
        if (!(f > 0 && f <= 1)) {
          throw error("expected a share between 0% and 100%, got '" + e[1] + "'");
        }
        yield new SimEvent.DropData(round, f);
      }
      default -> throw error("unknown directive '" + e[0] + "'; expected one of name, stores,"
          + " ranges, load, rounds, set, add-stores, kill-store, decommission, drain,"
          + " hot-range, drop-data, expect");
    };
  }

  private void expectation(String[] w) {
    String converged = "expect converged within <n> rounds";
    String moves = "expect moves at most <factor>x minimum";
    if (w.length == 5 && w[1].equals("converged")) {
      keyword(w[2], "within", converged);
      keyword(w[4], "rounds", converged);
      convergeWithin = (int) positive(w[3]);
    } else if (w.length == 6 && w[1].equals("moves")) {
      keyword(w[2], "at", moves);
      keyword(w[3], "most", moves);
      keyword(w[5], "minimum", moves);
      if (!w[4].endsWith("x")) {
        throw error("expected '" + moves + "'");
      }
      movesFactor = positive(w[4].substring(0, w[4].length() - 1));
    } else {
      throw error("expected '" + converged + "' or '" + moves + "'");
    }
  }

  private Scenario finish() {
    lineNumber = 0;
    if (stores == 0) {
      throw error("missing the 'stores <count>' line");
    }
    if (ranges == 0) {
      throw error("missing the 'ranges <count> size <size>' line");
    }
    PlacementSettings built;
    try {
      built = settings.build();
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
    return new Scenario(name, stores, ranges, rangeBytes, writes, skew, built, maxRounds,
        events, convergeWithin, movesFactor);
  }

  private String[] expect(String[] w, int words, String usage) {
    if (w.length != words) {
      throw error("expected '" + usage + "'");
    }
    return w;
  }

  private void keyword(String got, String wanted, String usage) {
    if (!got.equals(wanted)) {
      throw error("expected '" + usage + "'");
    }
  }

  private double positive(String text) {
    double v = quantity(text);
    if (!(v > 0)) {
      throw error("expected a positive number, got '" + text + "'");
    }
    return v;
  }

  /** A number with an optional unit: size, duration (to milliseconds) or percent. */
  private double quantity(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    String[][] units = {{"gib", "1073741824"}, {"mib", "1048576"}, {"kib", "1024"},
        {"ms", "1"}, {"b", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"},
        {"%", "0.01"}};
    for (String[] u : units) {
      if (t.endsWith(u[0])) {
        return number(t.substring(0, t.length() - u[0].length()), text)
            * Double.parseDouble(u[1]);
      }
    }
    return number(t, text);
  }

  private double number(String digits, String text) {
    try {
      return Double.parseDouble(digits);
    } catch (NumberFormatException e) {
      throw error("expected a number (with an optional unit), got '" + text + "'");
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(source + (lineNumber > 0 ? ":" + lineNumber : "")
        + ": " + what + (lineNumber > 0 ? " (line: '" + line + "')" : ""));
  }
}
