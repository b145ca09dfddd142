package io.flotilla.sim;

import java.util.random.RandomGenerator;

/**
 * The shape of one run, drawn from its seed: fault rates, Raft knobs and workload size. Drawing
 * them per seed (instead of fixing them) means some runs are calm, some are storms, and some hit
 * rare settings such as one-entry appends or pre-vote off; across thousands of seeds every
 * combination gets exercised.
 *
 * <p>Gaps are in ticks and are means: the actual gap is drawn uniformly from [1, 2 * mean].
 */
record FaultPlan(
    double dropRate,
    double duplicateRate,
    int maxDelayTicks,
    double longDelayRate,
    int partitionGapTicks,
    int partitionMaxTicks,
    double oneWayRate,
    int crashGapTicks,
    int downMaxTicks,
    double midReadyCrashRate,
    double majorityCrashRate,
    double leaderCrashBias,
    double newLeaderFaultRate,
    int snapshotGapTicks,
    int confChangeGapTicks,
    int transferGapTicks,
    int heartbeatTicks,
    boolean preVote,
    boolean checkQuorum,
    long maxMessageBytes,
    long maxUncommittedBytes,
    long maxCommittedBytesPerReady,
    int clients,
    int keys,
    int clientTimeoutTicks) {

  static FaultPlan draw(RandomGenerator rng, SimOptions o) {
    double drop = switch (rng.nextInt(10)) {
      case 0, 1 -> 0.0;
      case 2, 3, 4, 5, 6 -> rng.nextDouble(0.0, 0.05);
      default -> rng.nextDouble(0.05, 0.2);
    };
    return new FaultPlan(
        drop,
        rng.nextDouble() < 0.5 ? 0.0 : rng.nextDouble(0.0, 0.05),
        1 + rng.nextInt(3),
        rng.nextDouble() < 0.5 ? 0.0 : 0.02,
        rng.nextInt(40, 250),
        rng.nextInt(20, 150),
        0.4,
        rng.nextInt(40, 250),
        rng.nextInt(10, 150),
        0.5,
        0.1,
        0.4,
        rng.nextDouble() < 0.2 ? 0.0 : rng.nextDouble(0.5, 1.0),
        rng.nextInt(15, 150),
        rng.nextInt(20, 120),
        rng.nextInt(40, 250),
        1 + rng.nextInt(2),
        rng.nextDouble() < 0.9,
        rng.nextDouble() < 0.9,
        // One entry per append makes acknowledgements incremental: a follower can hold an old
        // entry without the new leader's no-op after it, the set-up of the Raft paper's figure 8.
        rng.nextDouble() < 0.4 ? 1 : 4096,
        rng.nextDouble() < 0.2 ? 1024 : 1 << 20,
        rng.nextDouble() < 0.3 ? 64 : 1 << 20,
        o.members() == 3 ? 3 : 4,
        1 + rng.nextInt(4),
        rng.nextInt(30, 80));
  }

  /** Random election jitter etc. aside, the knob that differs per member. */
  static int drawMaxInflight(RandomGenerator rng) {
    return 1 + rng.nextInt(8);
  }

  /** A gap around {@code meanTicks}, in ticks, at least 1. */
  static int gap(RandomGenerator rng, int meanTicks) {
    return 1 + rng.nextInt(2 * meanTicks);
  }
}
