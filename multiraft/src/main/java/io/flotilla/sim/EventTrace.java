package io.flotilla.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.Message;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The run's event record: a bounded ring of the most recent events (what a failure report shows)
 * and a running hash over every event (what the determinism test compares). Events keep their
 * detail object and are formatted only when printed, so recording stays cheap on the hot path.
 */
final class EventTrace {
  /** What happened; the node is the member it happened to (0 for cluster-wide events). */
  enum Kind {
    PLAN, TICK, DELIVER, DROP, DUPLICATE, CRASH, RESTART, PARTITION, HEAL, PROPOSE, REJECT, READ,
    READ_SERVED, COMPLETE, APPLY, SNAPSHOT, INSTALL_SNAPSHOT, CONF_CHANGE, TRANSFER, LEADER,
    LIVENESS, VIOLATION
  }

  private record Event(long time, Kind kind, long node, Object detail) {}

  /** What a narrated run (the demo) prints: the turns of the story, not every message. */
  static final Set<Kind> HIGHLIGHTS = EnumSet.of(Kind.CRASH, Kind.RESTART, Kind.PARTITION,
      Kind.HEAL, Kind.CONF_CHANGE, Kind.TRANSFER, Kind.LEADER, Kind.INSTALL_SNAPSHOT,
      Kind.LIVENESS, Kind.VIOLATION);

  private final Event[] ring;
  private final PrintStream verbose;
  private final Set<Kind> printed;
  private int next;
  private long count;
  private long hash = 17;

  /**
   * @param capacity how many recent events to keep for a failure report
   * @param verbose where to print events as they are recorded, or null
   * @param printed which kinds of event to print there
   */
  EventTrace(int capacity, PrintStream verbose, Set<Kind> printed) {
    this.ring = new Event[capacity];
    this.verbose = verbose;
    this.printed = printed;
  }

  void record(long time, Kind kind, long node, Object detail) {
    Event e = new Event(time, kind, node, detail);
    ring[next] = e;
    next = (next + 1) % ring.length;
    count++;
    hash = Hashing.mix(Hashing.mix(Hashing.mix(Hashing.mix(hash, time), kind.ordinal()), node),
        fingerprint(detail));
    if (verbose != null && printed.contains(kind)) {
      verbose.println(format(e));
    }
  }

  /** Folds a final-state value (e.g. a commit index) into the hash without an event. */
  void fold(long v) {
    hash = Hashing.mix(hash, v);
  }

  long hash() {
    return hash;
  }

  long count() {
    return count;
  }

  /** The retained events, oldest first, formatted one per line. */
  List<String> tail() {
    List<String> out = new ArrayList<>();
    int n = (int) Math.min(count, ring.length);
    for (int i = 0; i < n; i++) {
      Event e = ring[Math.floorMod(next - n + i, ring.length)];
      out.add(format(e));
    }
    return out;
  }

  private static String format(Event e) {
    String t = String.format("%6d.%02d", e.time / Scheduler.TICK, e.time % Scheduler.TICK);
    String who = e.node == 0 ? "   " : "n" + e.node + " ";
    String what = switch (e.detail) {
      case null -> "";
      case Message m -> Messages.describe(m);
      case Entry en -> Messages.describe(en);
      default -> e.detail.toString();
    };
    return t + " " + who + e.kind + (what.isEmpty() ? "" : " " + what);
  }

  private static long fingerprint(Object detail) {
    return switch (detail) {
      case null -> 0;
      case Message m -> Messages.fingerprint(m);
      case Entry en -> Messages.fingerprint(en);
      case Long l -> l;
      case Integer i -> i;
      // Strings, records of numbers and enums: their toString is deterministic text.
      default -> detail.toString().hashCode();
    };
  }
}
