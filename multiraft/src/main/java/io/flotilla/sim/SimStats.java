package io.flotilla.sim;

import java.util.Arrays;
import java.util.Locale;

/**
 * Counters of what happened in one run or, summed, in many. The tests assert that the faults
 * they rely on really happened: a simulation that never crashes anything proves nothing.
 */
public final class SimStats {
  /**
   * One counter each; {@link #RECOVERY_TICKS_MAX} is combined by max, all others by sum. Notes:
   * ELECTIONS counts terms that got a leader; COMMITS counts distinct log indexes applied;
   * PARTITIONS counts symmetric partitions and cut-offs of new leaders (isolation or going mute
   * after a few messages); CONF_CHANGES_APPLIED includes the leave-joint entries leaders propose
   * themselves; LIN_CHECK_UNDECIDED counts runs whose final general check ran out of budget;
   * PREV_TERM_COMMITS counts leaders advancing their commit index to an entry of an earlier
   * term, which Raft (section 5.4.2) forbids: zero unless a bug is planted.
   */
  public enum Counter {
    EVENTS, MESSAGES, DROPS, DUPLICATES, ELECTIONS, COMMITS, PUTS_OK, PUTS_FAILED,
    PUTS_UNKNOWN, READS, READS_LOST, REJECTIONS, CRASHES, MID_READY_CRASHES, RESTARTS,
    PARTITIONS, ONE_WAY_PARTITIONS, SNAPSHOTS_CREATED, SNAPSHOTS_SENT, SNAPSHOTS_INSTALLED,
    CONF_CHANGES_PROPOSED, CONF_CHANGES_APPLIED, JOINT_CONFIGS, LEADER_TRANSFERS,
    LIN_CHECK_UNDECIDED, PREV_TERM_COMMITS, RECOVERY_TICKS_MAX
  }

  private final long[] counts = new long[Counter.values().length];

  void inc(Counter c) {
    counts[c.ordinal()]++;
  }

  void add(Counter c, long n) {
    counts[c.ordinal()] += n;
  }

  void max(Counter c, long n) {
    counts[c.ordinal()] = Math.max(counts[c.ordinal()], n);
  }

  public long get(Counter c) {
    return counts[c.ordinal()];
  }

  /** Adds another run's counters into this one (thread-confined: call from one thread). */
  public void addAll(SimStats o) {
    for (Counter c : Counter.values()) {
      if (c == Counter.RECOVERY_TICKS_MAX) {
        max(c, o.get(c));
      } else {
        add(c, o.get(c));
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SimStats s && Arrays.equals(s.counts, counts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Counter c : Counter.values()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT)
          .replace('_', ' ')).append(' ').append(get(c));
    }
    return sb.toString();
  }
}
