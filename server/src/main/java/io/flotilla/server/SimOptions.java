package io.flotilla.server;

import io.flotilla.config.Suggestions;
import io.flotilla.raft.PlantedBug;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * What {@code flotilla sim} was asked to run. Either a range of seeds ({@code --first-seed},
 * {@code --seeds}) or one seed to replay ({@code --seed}), never both: a replay is how a
 * failure found in a range is reproduced, and mixing the two would make the range ambiguous.
 *
 * @param replaySeed the one seed to replay, if {@code --seed} was given
 * @param firstSeed the first seed of the range
 * @param seeds how many consecutive seeds, at least 1 (1 for a replay)
 * @param ticks logical ticks each run lasts, at least 1
 * @param nodes cluster size, 3 or 5
 * @param bugs planted bugs the Raft core commits on purpose, to show the simulation catches them
 * @param threads simulations run in parallel, at least 1
 * @param verbose whether to print every event of every run
 */
public record SimOptions(
    OptionalLong replaySeed,
    long firstSeed,
    int seeds,
    int ticks,
    int nodes,
    Set<PlantedBug> bugs,
    int threads,
    boolean verbose) {

  static final int DEFAULT_SEEDS = 200;
  static final long DEFAULT_FIRST_SEED = 1;
  static final int DEFAULT_TICKS = 2000;
  static final int DEFAULT_NODES = 3;

  public SimOptions {
    if (seeds < 1 || ticks < 1 || threads < 1 || (nodes != 3 && nodes != 5)) {
      throw new IllegalArgumentException("bad simulation options: seeds=" + seeds + " ticks="
          + ticks + " threads=" + threads + " nodes=" + nodes);
    }
    if (replaySeed.isPresent() && (seeds != 1 || firstSeed != replaySeed.getAsLong())) {
      throw new IllegalArgumentException("a replay runs exactly its one seed");
    }
    // Seeds are consecutive longs; refusing wrap-around keeps "the range" meaning one range.
    if (firstSeed > Long.MAX_VALUE - (seeds - 1L)) {
      throw new IllegalArgumentException("seeds run past " + Long.MAX_VALUE);
    }
    bugs = bugs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(bugs));
  }

  /**
   * Parses the arguments of {@code flotilla sim} (without {@code --help}, which the command
   * answers before parsing).
   *
   * @param defaultThreads used when {@code --threads} is absent; the caller passes the number
   *     of available processors, tests pass a constant
   * @throws UsageException naming the offending argument
   */
  static SimOptions parse(List<String> args, int defaultThreads) throws UsageException {
    List<Flags.Flag> flags = Flags.parse(args,
        Set.of("--seeds", "--seed", "--first-seed", "--ticks", "--nodes", "--bug", "--threads"),
        Set.of("--verbose"),
        Set.of("--bug"));
    OptionalLong replaySeed = OptionalLong.empty();
    long firstSeed = DEFAULT_FIRST_SEED;
    int seeds = DEFAULT_SEEDS;
    int ticks = DEFAULT_TICKS;
    int nodes = DEFAULT_NODES;
    Set<PlantedBug> bugs = EnumSet.noneOf(PlantedBug.class);
    int threads = defaultThreads;
    boolean verbose = false;
    List<String> rangeFlags = new ArrayList<>();
    for (Flags.Flag f : flags) {
      switch (f.name()) {
        case "--seeds" -> {
          seeds = Flags.intValue(f, 1, Integer.MAX_VALUE);
          rangeFlags.add(f.name());
        }
        case "--first-seed" -> {
          firstSeed = Flags.longValue(f, Long.MIN_VALUE, Long.MAX_VALUE);
          rangeFlags.add(f.name());
        }
        case "--seed" -> replaySeed = OptionalLong.of(Flags.longValue(f, Long.MIN_VALUE,
            Long.MAX_VALUE));
        case "--ticks" -> ticks = Flags.intValue(f, 1, Integer.MAX_VALUE);
        case "--nodes" -> nodes = nodes(f);
        case "--bug" -> bugs.add(bug(f));
        case "--threads" -> threads = Flags.intValue(f, 1, 1024);
        case "--verbose" -> verbose = true;
        default -> throw new AssertionError("Flags.parse let through " + f.name());
      }
    }
    if (replaySeed.isPresent()) {
      if (!rangeFlags.isEmpty()) {
        throw new UsageException("option '--seed' replays one seed and cannot be combined with '"
            + rangeFlags.get(0) + "'");
      }
      firstSeed = replaySeed.getAsLong();
      seeds = 1;
    } else if (firstSeed > Long.MAX_VALUE - (seeds - 1L)) {
      throw new UsageException("option '--first-seed' " + firstSeed + " with --seeds " + seeds
          + " runs past the largest seed " + Long.MAX_VALUE);
    }
    return new SimOptions(replaySeed, firstSeed, seeds, ticks, nodes, bugs, threads, verbose);
  }

  private static int nodes(Flags.Flag f) throws UsageException {
    return switch (f.value().strip()) {
      case "3" -> 3;
      case "5" -> 5;
      default -> throw new UsageException(
          "option '--nodes' expects 3 or 5, got '" + f.value() + "'");
    };
  }

  /** Accepts the CLI spelling ({@code vote-without-log-check}) and the enum constant's name. */
  private static PlantedBug bug(Flags.Flag f) throws UsageException {
    String wanted = f.value().strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (PlantedBug bug : PlantedBug.values()) {
      if (bug.name().equals(wanted)) {
        return bug;
      }
    }
    List<String> names = EnumSet.allOf(PlantedBug.class).stream().map(SimOptions::cliName)
        .toList();
    String hint = Suggestions.closest(f.value(), names).map(s -> "; did you mean '" + s + "'?")
        .orElse("");
    throw new UsageException("option '--bug' expects one of " + String.join(", ", names)
        + ", got '" + f.value() + "'" + hint);
  }

  static String cliName(PlantedBug bug) {
    return bug.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The seeds to run, in order. */
  public LongStream seedsToRun() {
    return LongStream.range(0, seeds).map(i -> firstSeed + i);
  }

  /** One line for people, e.g. to head a simulation report. */
  public String describe() {
    String which = replaySeed.isPresent()
        ? "replay of seed " + firstSeed
        : seeds + (seeds == 1 ? " seed" : " seeds") + " from " + firstSeed + " to "
            + (firstSeed + seeds - 1);
    String planted = bugs.isEmpty() ? "none" : EnumSet.copyOf(bugs).stream()
        .map(SimOptions::cliName).collect(Collectors.joining(", "));
    return which + ", " + nodes + " nodes, " + ticks + " ticks per run, " + threads
        + (threads == 1 ? " thread" : " threads") + ", planted bugs: " + planted
        + (verbose ? ", verbose" : "");
  }
}
