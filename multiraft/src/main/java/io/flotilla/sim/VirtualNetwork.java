package io.flotilla.sim;

import io.flotilla.raft.Message;
import io.flotilla.sim.EventTrace.Kind;
import io.flotilla.sim.SimStats.Counter;
import java.util.random.RandomGenerator;

/**
 * The links between members. Every message gets its own random delay (so messages reorder),
 * may be lost or duplicated, and is dropped at delivery if its link is cut or its receiver is
 * down. Cuts are directed: a symmetric partition cuts both directions, a one-way partition one.
 *
 * <p>Snapshot transfers report back as a real transport would: a delivered InstallSnapshot is
 * reported to its sender with {@code reportSnapshot(peer, true)}, a lost one with {@code false},
 * a little later, and only to the same life of the sender (a restarted sender sent nothing).
 */
final class VirtualNetwork {
  /** How often a drop on a cut link is also reported as unreachable, as a transport might. */
  private static final double REPORT_UNREACHABLE_RATE = 0.3;
  /**
   * Longest extra delay of a straggler message, in ticks; one straggler in five may take up to
   * {@link #LATE_STRAGGLER_TICKS}, several election timeouts, to arrive from a bygone term.
   */
  private static final int STRAGGLER_TICKS = 10;
  private static final int LATE_STRAGGLER_TICKS = 60;

  private final Simulation sim;
  private final RandomGenerator rng;
  private final FaultPlan plan;
  private final boolean[][] cut;
  private boolean faulty = true;
  private int cutLinks;
  /** Per member: messages it may still send before going mute, or -1 when no fuse burns. */
  private final int[] fuse;
  private final long[] fuseMuteTicks;
  /** Per member: until when everything it sends is lost (a one-way cut from it to all). */
  private final long[] mutedUntil;

  VirtualNetwork(Simulation sim, int maxNodeId) {
    this.sim = sim;
    this.rng = sim.rng();
    this.plan = sim.plan();
    this.cut = new boolean[maxNodeId + 1][maxNodeId + 1];
    this.fuse = new int[maxNodeId + 1];
    this.fuseMuteTicks = new long[maxNodeId + 1];
    this.mutedUntil = new long[maxNodeId + 1];
    java.util.Arrays.fill(fuse, -1);
  }

  /**
   * After {@code messages} more sends, {@code id} goes mute for {@code muteTicks}: what it sent
   * before still arrives, nothing after. Cutting a leader off after a chosen number of sends
   * (rather than at a chosen time) stops replication at every possible step of the protocol.
   */
  void armFuse(long id, int messages, long muteTicks) {
    fuse[(int) id] = messages;
    fuseMuteTicks[(int) id] = muteTicks;
  }

  /** Stops losing, duplicating and straggling messages (partitions are healed separately). */
  void stopFaults() {
    faulty = false;
  }

  void cut(long from, long to) {
    if (!cut[(int) from][(int) to]) {
      cut[(int) from][(int) to] = true;
      cutLinks++;
    }
  }

  /** Cuts every link to and from {@code id}. */
  void isolate(long id) {
    for (int other = 1; other < cut.length; other++) {
      if (other != id) {
        cut(id, other);
        cut(other, id);
      }
    }
  }

  /** Restores every link to and from {@code id} (even ones another partition had cut). */
  void reconnect(long id) {
    for (int other = 1; other < cut.length; other++) {
      if (other != id) {
        uncut(id, other);
        uncut(other, id);
      }
    }
  }

  private void uncut(long from, long to) {
    if (cut[(int) from][(int) to]) {
      cut[(int) from][(int) to] = false;
      cutLinks--;
    }
  }

  boolean partitioned() {
    return cutLinks > 0;
  }

  void healAll() {
    for (boolean[] row : cut) {
      java.util.Arrays.fill(row, false);
    }
    cutLinks = 0;
    java.util.Arrays.fill(fuse, -1);
    java.util.Arrays.fill(mutedUntil, 0);
  }

  void send(SimNode from, Message m) {
    sim.stats().inc(Counter.MESSAGES);
    if (m instanceof Message.Append a) {
      sim.invariants().onAppendMessage(a);
    } else if (m instanceof Message.InstallSnapshot) {
      sim.stats().inc(Counter.SNAPSHOTS_SENT);
    }
    if (m.to() < 1 || m.to() >= cut.length) {
      throw new SimViolation("message receiver", "member " + from.id() + " sent "
          + Messages.describe(m) + " to a member that does not exist");
    }
    int incarnation = from.incarnation();
    int f = (int) from.id();
    if (fuse[f] == 0) {
      fuse[f] = -1;
      mutedUntil[f] = sim.scheduler().now() + fuseMuteTicks[f] * Scheduler.TICK;
      sim.trace(Kind.PARTITION, f, "fuse blows: mute for " + fuseMuteTicks[f] + " ticks");
    } else if (fuse[f] > 0) {
      fuse[f]--;
    }
    if (mutedUntil[f] > sim.scheduler().now()) {
      drop(m, incarnation);
      return;
    }
    if (faulty && rng.nextDouble() < plan.dropRate()) {
      drop(m, incarnation);
      return;
    }
    schedule(m, incarnation);
    if (faulty && rng.nextDouble() < plan.duplicateRate()) {
      sim.stats().inc(Counter.DUPLICATES);
      sim.trace(Kind.DUPLICATE, m.from(), m);
      schedule(m, incarnation);
    }
  }

  private void schedule(Message m, int incarnation) {
    long delay = rng.nextLong(plan.maxDelayTicks() * Scheduler.TICK + 1);
    if (faulty && plan.longDelayRate() > 0 && rng.nextDouble() < plan.longDelayRate()) {
      int ticks = rng.nextInt(5) == 0 ? LATE_STRAGGLER_TICKS : STRAGGLER_TICKS;
      delay += rng.nextLong(ticks * Scheduler.TICK);
    }
    sim.scheduler().after(delay, () -> deliver(m, incarnation));
  }

  private void deliver(Message m, int incarnation) {
    SimNode to = sim.node(m.to());
    if (cut[(int) m.from()][(int) m.to()]) {
      drop(m, incarnation);
      if (rng.nextDouble() < REPORT_UNREACHABLE_RATE) {
        SimNode from = sim.node(m.from());
        if (from.live() && from.incarnation() == incarnation) {
          from.reportUnreachable(m.to());
        }
      }
      return;
    }
    if (!to.live()) {
      drop(m, incarnation);
      return;
    }
    sim.trace(Kind.DELIVER, m.to(), m);
    to.step(m);
    if (m instanceof Message.InstallSnapshot) {
      report(m, incarnation, true);
    }
  }

  private void drop(Message m, int incarnation) {
    sim.stats().inc(Counter.DROPS);
    sim.trace(Kind.DROP, m.to(), m);
    if (m instanceof Message.InstallSnapshot) {
      report(m, incarnation, false);
    }
  }

  private void report(Message m, int incarnation, boolean ok) {
    sim.scheduler().after(rng.nextLong(Scheduler.TICK), () -> {
      SimNode from = sim.node(m.from());
      if (from.live() && from.incarnation() == incarnation) {
        from.reportSnapshot(m.to(), ok);
      }
    });
  }
}
