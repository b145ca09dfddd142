package io.flotilla.raft;

import java.util.EnumSet;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Settings of one member. Build with {@link #builder(long, RandomGenerator)}; every value is
 * checked once, and a bad one fails with the setting's name.
 *
 * @param id this member's id, never {@link RaftNode#NONE}
 * @param electionTicks ticks without hearing from a leader before a follower campaigns; the
 *     actual timeout is drawn from [electionTicks, 2 * electionTicks) after each reset
 * @param heartbeatTicks ticks between a leader's heartbeats; less than electionTicks
 * @param preVote whether to run a pre-vote round before raising the term
 * @param checkQuorum whether a leader steps down when it has not heard from a quorum for an
 *     election timeout (and followers ignore votes while they hear from a leader)
 * @param maxMessageBytes upper bound on the entry bytes in one append (at least one entry is
 *     always sent)
 * @param maxInflightMessages appends a leader sends to one follower before waiting for acks
 * @param maxUncommittedBytes proposals beyond this many uncommitted entry bytes are rejected
 * @param maxCommittedBytesPerReady bound on committed entry bytes handed out in one Ready
 * @param applied the applied index the application restarted from
 * @param random the source of election jitter; seeded in tests so runs replay exactly
 * @param plantedBugs test-only: classic bugs to commit on purpose; empty in production
 */
public record RaftConfig(
    long id,
    int electionTicks,
    int heartbeatTicks,
    boolean preVote,
    boolean checkQuorum,
    long maxMessageBytes,
    int maxInflightMessages,
    long maxUncommittedBytes,
    long maxCommittedBytesPerReady,
    long applied,
    RandomGenerator random,
    Set<PlantedBug> plantedBugs) {

  public RaftConfig {
    require(id != RaftNode.NONE, "id", "must not be " + RaftNode.NONE);
    require(heartbeatTicks > 0, "heartbeatTicks", "must be positive, got " + heartbeatTicks);
    require(electionTicks > heartbeatTicks, "electionTicks",
        "must be greater than heartbeatTicks (" + heartbeatTicks + "), got " + electionTicks);
    require(maxMessageBytes > 0, "maxMessageBytes", "must be positive, got " + maxMessageBytes);
    require(maxInflightMessages > 0, "maxInflightMessages",
        "must be positive, got " + maxInflightMessages);
    require(maxUncommittedBytes > 0, "maxUncommittedBytes",
        "must be positive, got " + maxUncommittedBytes);
    require(maxCommittedBytesPerReady > 0, "maxCommittedBytesPerReady",
        "must be positive, got " + maxCommittedBytesPerReady);
    require(applied >= 0, "applied", "must not be negative, got " + applied);
    require(random != null, "random", "must be given");
    plantedBugs = plantedBugs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(plantedBugs));
  }

  private static void require(boolean ok, String key, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("raft config " + key + " " + problem);
    }
  }

  public static Builder builder(long id, RandomGenerator random) {
    return new Builder(id, random);
  }

  /** Fluent construction with production defaults. */
  public static final class Builder {
    private final long id;
    private final RandomGenerator random;
    private int electionTicks = 10;
    private int heartbeatTicks = 1;
    private boolean preVote = true;
    private boolean checkQuorum = true;
    private long maxMessageBytes = 1 << 20;
    private int maxInflightMessages = 256;
    private long maxUncommittedBytes = 64L << 20;
    private long maxCommittedBytesPerReady = 64L << 20;
    private long applied;
    private Set<PlantedBug> plantedBugs = Set.of();

    private Builder(long id, RandomGenerator random) {
      this.id = id;
      this.random = random;
    }

    public Builder electionTicks(int v) {
      electionTicks = v;
      return this;
    }

    public Builder heartbeatTicks(int v) {
      heartbeatTicks = v;
      return this;
    }

    public Builder preVote(boolean v) {
      preVote = v;
      return this;
    }

    public Builder checkQuorum(boolean v) {
      checkQuorum = v;
      return this;
    }

    public Builder maxMessageBytes(long v) {
      maxMessageBytes = v;
      return this;
    }

    public Builder maxInflightMessages(int v) {
      maxInflightMessages = v;
      return this;
    }

    public Builder maxUncommittedBytes(long v) {
      maxUncommittedBytes = v;
      return this;
    }

    public Builder maxCommittedBytesPerReady(long v) {
      maxCommittedBytesPerReady = v;
      return this;
    }

    public Builder applied(long v) {
      applied = v;
      return this;
    }

    public Builder plantedBugs(Set<PlantedBug> v) {
      plantedBugs = v;
      return this;
    }

    public RaftConfig build() {
      return new RaftConfig(id, electionTicks, heartbeatTicks, preVote, checkQuorum,
          maxMessageBytes, maxInflightMessages, maxUncommittedBytes, maxCommittedBytesPerReady,
          applied, random, plantedBugs);
    }
  }
}
