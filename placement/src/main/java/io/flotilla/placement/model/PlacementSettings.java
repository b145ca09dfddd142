package io.flotilla.placement.model;

import java.util.List;

/**
 * The placement driver's knobs, validated once: a bad value fails naming the setting and the
 * value. Names in errors are the ones {@link Builder#set} accepts (and scenario files use).
 *
 * @param replicas voters every range should have
 * @param storeDownAfterMillis a store silent this long takes no new replicas or leaders
 * @param storeDeadAfterMillis a store silent this long is dead: its replicas are re-created
 * @param maxSnapshotsPerStore snapshots a store may send, and separately receive, at a time
 * @param maxOperatorsPerStore operators in flight that involve one store
 * @param maxOperatorsInFlight operators in flight in the whole cluster
 * @param splitSizeBytes a range larger than this is split in the middle
 * @param splitWritesPerSec a range taking more writes than this is split at its load key
 * @param mergeSizeBytes adjacent ranges both smaller than this (and together below half the
 *     split size and half the split load, so that the result is never split again) are merged
 * @param replicaTolerance band around the mean replica count, as a fraction of the mean, within
 *     which a store is balanced
 * @param byteTolerance the same for the bytes a store holds
 * @param leaderTolerance the same for leader counts
 * @param leaderLoadTolerance the same for the load (reads + writes per second) a store leads
 * @param cooldownMillis a range never returns to a store it left (replica or leader) this
 *     recently
 * @param stepTimeoutMillis time an operator's step may take, plus snapshot time for steps that
 *     send one
 * @param minSnapshotBytesPerSec the slowest snapshot transfer counted as progress: a step that
 *     sends a snapshot of B bytes may take B / this longer
 * @param loadSplitMergeDelayMillis a range split off for its load is not merged back for this
 *     long (a hot spot that cooled for a moment must not be merged and split again)
 * @param maxDiskUsed a store whose disk is fuller than this fraction takes no new replicas
 */
public record PlacementSettings(int replicas, long storeDownAfterMillis,
    long storeDeadAfterMillis, int maxSnapshotsPerStore, int maxOperatorsPerStore,
    int maxOperatorsInFlight, long splitSizeBytes, double splitWritesPerSec, long mergeSizeBytes,
    double replicaTolerance, double byteTolerance, double leaderTolerance,
    double leaderLoadTolerance, long cooldownMillis, long stepTimeoutMillis,
    long minSnapshotBytesPerSec, long loadSplitMergeDelayMillis, double maxDiskUsed) {

  private static final long MIB = 1L << 20;

  /** Every name {@link Builder#set} accepts. */
  public static final List<String> NAMES = List.of("replicas",
      "store-down-after", "store-dead-after", "max-snapshots-per-store",
      "max-operators-per-store", "max-operators-in-flight", "split-size", "split-writes",
      "merge-size", "replica-tolerance", "byte-tolerance", "leader-tolerance",
      "leader-load-tolerance", "cooldown", "step-timeout", "min-snapshot-rate",
      "load-split-merge-delay", "max-disk-used");

  public PlacementSettings {
    atLeast("replicas", replicas, 1);
    atMost("replicas", replicas, 7);
    atLeast("store-down-after", storeDownAfterMillis, 1);
    atLeast("store-dead-after", storeDeadAfterMillis, storeDownAfterMillis);
    atLeast("max-snapshots-per-store", maxSnapshotsPerStore, 1);
    atLeast("max-operators-per-store", maxOperatorsPerStore, 1);
    atLeast("max-operators-in-flight", maxOperatorsInFlight, 1);
    atLeast("split-size", splitSizeBytes, 1);
    positive("split-writes", splitWritesPerSec);
    atLeast("merge-size", mergeSizeBytes, 0);
    if (mergeSizeBytes * 2 > splitSizeBytes) {
      throw new IllegalArgumentException("placement setting 'merge-size' must be at most half"
          + " of split-size (" + splitSizeBytes + " bytes), got " + mergeSizeBytes);
    }
    fraction("replica-tolerance", replicaTolerance);
    fraction("byte-tolerance", byteTolerance);
    fraction("leader-tolerance", leaderTolerance);
    fraction("leader-load-tolerance", leaderLoadTolerance);
    atLeast("cooldown", cooldownMillis, 0);
    atLeast("step-timeout", stepTimeoutMillis, 1);
    atLeast("min-snapshot-rate", minSnapshotBytesPerSec, 1);
    atLeast("load-split-merge-delay", loadSplitMergeDelayMillis, 0);
    if (!(maxDiskUsed > 0 && maxDiskUsed <= 1)) {
      throw new IllegalArgumentException(
          "placement setting 'max-disk-used' must be in (0, 1], got " + maxDiskUsed);
    }
  }

  public static PlacementSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Quorum of a voter set of {@code size}. */
  public static int quorum(int size) {
    return size / 2 + 1;
  }

  /** How long a step that sends a snapshot of {@code bytes} may take. */
  public long snapshotStepTimeoutMillis(long bytes) {
    return stepTimeoutMillis + bytes * 1000 / minSnapshotBytesPerSec;
  }

  private static void atLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(
          "placement setting '" + name + "' must be at least " + min + ", got " + value);
    }
  }

  private static void atMost(String name, long value, long max) {
    if (value > max) {
      throw new IllegalArgumentException(
          "placement setting '" + name + "' must be at most " + max + ", got " + value);
    }
  }

  private static void positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "placement setting '" + name + "' must be a positive number, got " + value);
    }
  }

  private static void fraction(String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(
          "placement setting '" + name + "' must be in [0, 1), got " + value);
    }
  }

  /** Defaults, changed one named setting at a time. */
  public static final class Builder {
    private int replicas = 3;
    private long storeDownAfterMillis = 30_000;
    private long storeDeadAfterMillis = 5 * 60_000;
    private int maxSnapshotsPerStore = 2;
    private int maxOperatorsPerStore = 8;
    private int maxOperatorsInFlight = 256;
    private long splitSizeBytes = 64 * MIB;
    private double splitWritesPerSec = 1000;
    private long mergeSizeBytes = 16 * MIB;
    private double replicaTolerance = 0.05;
    private double byteTolerance = 0.10;
    private double leaderTolerance = 0.05;
    private double leaderLoadTolerance = 0.25;
    private long cooldownMillis = 60 * 60_000;
    private long stepTimeoutMillis = 60_000;
    private long minSnapshotBytesPerSec = 4 * MIB;
    private long loadSplitMergeDelayMillis = 5 * 60_000;
    private double maxDiskUsed = 0.95;

    private Builder() {
    }

    /**
     * Sets one setting by its name; durations are milliseconds, sizes bytes, rates per
     * second, tolerances fractions.
     */
    public Builder set(String name, double value) {
      long whole = (long) value;
      switch (name) {
        case "replicas" -> replicas = (int) whole;
        case "store-down-after" -> storeDownAfterMillis = whole;
        case "store-dead-after" -> storeDeadAfterMillis = whole;
        case "max-snapshots-per-store" -> maxSnapshotsPerStore = (int) whole;
        case "max-operators-per-store" -> maxOperatorsPerStore = (int) whole;
        case "max-operators-in-flight" -> maxOperatorsInFlight = (int) whole;
        case "split-size" -> splitSizeBytes = whole;
        case "split-writes" -> splitWritesPerSec = value;
        case "merge-size" -> mergeSizeBytes = whole;
        case "replica-tolerance" -> replicaTolerance = value;
        case "byte-tolerance" -> byteTolerance = value;
        case "leader-tolerance" -> leaderTolerance = value;
        case "leader-load-tolerance" -> leaderLoadTolerance = value;
        case "cooldown" -> cooldownMillis = whole;
        case "step-timeout" -> stepTimeoutMillis = whole;
        case "min-snapshot-rate" -> minSnapshotBytesPerSec = whole;
        case "load-split-merge-delay" -> loadSplitMergeDelayMillis = whole;
        case "max-disk-used" -> maxDiskUsed = value;
        default -> throw new IllegalArgumentException("unknown placement setting '" + name
            + "'; known: " + String.join(", ", NAMES));
      }
      return this;
    }

    public PlacementSettings build() {
      return new PlacementSettings(replicas, storeDownAfterMillis, storeDeadAfterMillis,
          maxSnapshotsPerStore, maxOperatorsPerStore, maxOperatorsInFlight, splitSizeBytes,
          splitWritesPerSec, mergeSizeBytes, replicaTolerance, byteTolerance, leaderTolerance,
          leaderLoadTolerance, cooldownMillis, stepTimeoutMillis, minSnapshotBytesPerSec,
          loadSplitMergeDelayMillis, maxDiskUsed);
    }
  }
}
