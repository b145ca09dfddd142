package io.flotilla.sim;

import io.flotilla.raft.PlantedBug;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What one simulation run is: everything else (fault rates, Raft knobs, workload shape) is drawn
 * from the seed by {@link FaultPlan#draw}, so these few values name a run completely and
 * {@link #replayCommand()} replays it.
 *
 * @param seed the seed of the run's only random generator
 * @param ticks virtual duration; every member ticks once per tick
 * @param members initial voters, 3 or 5; two more ids exist as spares for membership changes
 * @param bugs planted bugs, applied to every member
 * @param verbose print every event of the run as it happens (for replaying one seed)
 */
public record SimOptions(long seed, int ticks, int members, Set<PlantedBug> bugs,
    boolean verbose) {
  /** Election timeout of every member; the liveness bound below is stated in terms of it. */
  public static final int ELECTION_TICKS = 10;
  /**
   * After the heal, a leader must exist, commits must agree, a fresh proposal must be applied
   * everywhere and no client proposal may be left unresolved within this many ticks. Why 250 =
   * 25 election timeouts: a deposed leader needs up to 2 timeouts to step down (checkQuorum), each
   * failed election round costs up to 2 timeouts plus message delays (at most 3 ticks, rarely
   * 10), and restarted members may need a snapshot and a few round trips to catch up. Seeds
   * settle in well under 100 ticks; the margin absorbs split votes.
   */
  public static final int LIVENESS_BOUND_TICKS = 250;
  /** The quiet, fault-free tail of every run is at least this long and at least 20%. */
  public static final int MIN_QUIET_TICKS = 300;

  public SimOptions {
    if (members != 3 && members != 5) {
      throw new IllegalArgumentException("sim members must be 3 or 5, got " + members);
    }
    if (ticks < 100) {
      throw new IllegalArgumentException("sim ticks must be at least 100, got " + ticks);
    }
    bugs = bugs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(bugs));
  }

  /** The default run of a seed: 2,000 ticks, 3 members, no planted bugs. */
  public static SimOptions of(long seed) {
    return new SimOptions(seed, 2000, 3, Set.of(), false);
  }

  public SimOptions withSeed(long v) {
    return new SimOptions(v, ticks, members, bugs, verbose);
  }

  public SimOptions withTicks(int v) {
    return new SimOptions(seed, v, members, bugs, verbose);
  }

  public SimOptions withMembers(int v) {
    return new SimOptions(seed, ticks, v, bugs, verbose);
  }

  public SimOptions withBugs(Set<PlantedBug> v) {
    return new SimOptions(seed, ticks, members, v, verbose);
  }

  public SimOptions withVerbose(boolean v) {
    return new SimOptions(seed, ticks, members, bugs, v);
  }

  /** Member ids are 1..maxNodeId: the initial voters and two spares. */
  public int maxNodeId() {
    return members + 2;
  }

  /** The tick at which every fault stops and liveness starts to be demanded. */
  public int healTick() {
    return Math.max(0, ticks - Math.max(MIN_QUIET_TICKS, ticks / 5));
  }

  /** One command line that replays this run exactly. */
  public String replayCommand() {
    StringJoiner sj = new StringJoiner(" ");
    sj.add("./flotilla sim --seed " + seed).add("--ticks " + ticks).add("--nodes " + members);
    for (PlantedBug b : PlantedBug.values()) {
      if (bugs.contains(b)) {
        sj.add("--bug " + b.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
    }
    return sj.toString();
  }
}
