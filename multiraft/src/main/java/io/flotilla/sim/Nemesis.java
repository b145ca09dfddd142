package io.flotilla.sim;

import io.flotilla.raft.ProposalRejectedException;
import io.flotilla.sim.EventTrace.Kind;
import io.flotilla.sim.SimNode.CrashPoint;
import io.flotilla.sim.SimStats.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The fault schedule: partitions, crashes and restarts, leadership transfers and the
 * application's snapshots, each on its own random clock while faults are on; then, at the heal
 * tick, everything heals and every crashed member restarts.
 *
 * <p>Crashes keep at most a minority of the initial group size down at once, except that now and
 * then ({@link FaultPlan#majorityCrashRate()}) they may take more: safety must hold regardless,
 * and liveness is only demanded after the heal. On top of the clocks, new leaders are often cut
 * off soon after their election ({@link #onNewLeader}): leader churn with divergent log tails
 * is where commit-rule bugs live, and random clocks alone reach it too rarely.
 */
final class Nemesis {
  private final Simulation sim;
  private final RandomGenerator rng;
  private final FaultPlan plan;

  Nemesis(Simulation sim) {
    this.sim = sim;
    this.rng = sim.rng();
    this.plan = sim.plan();
  }

  void start() {
    later(plan.partitionGapTicks(), this::partition);
    later(plan.crashGapTicks(), this::crash);
    later(plan.transferGapTicks(), this::transfer);
    for (SimNode n : sim.nodes()) {
      later(plan.snapshotGapTicks(), () -> snapshot(n));
    }
    sim.scheduler().at(sim.healTime(), this::healAll);
  }

  private void later(int meanTicks, Runnable r) {
    long delay = FaultPlan.gap(rng, meanTicks) * Scheduler.TICK + rng.nextLong(Scheduler.TICK);
    if (sim.scheduler().now() + delay < sim.healTime()) {
      sim.scheduler().after(delay, r);
    }
  }

  private void partition() {
    if (!sim.network().partitioned()) {
      int max = sim.options().maxNodeId();
      if (rng.nextDouble() < plan.oneWayRate()) {
        int links = 1 + rng.nextInt(3);
        StringBuilder sb = new StringBuilder("one-way");
        for (int i = 0; i < links; i++) {
          long from = 1 + rng.nextInt(max);
          long to = 1 + rng.nextInt(max);
          if (from != to) {
            sim.network().cut(from, to);
            sb.append(' ').append(from).append("-x->").append(to);
          }
        }
        sim.stats().inc(Counter.ONE_WAY_PARTITIONS);
        sim.trace(Kind.PARTITION, 0, sb.toString());
      } else {
        // A random minority side (often just the leader) against everyone else.
        List<Long> side = new ArrayList<>();
        SimNode leader = sim.currentLeader();
        if (leader != null && rng.nextBoolean()) {
          side.add(leader.id());
        }
        int size = 1 + rng.nextInt((max - 1) / 2);
        while (side.size() < size) {
          long id = 1 + rng.nextInt(max);
          if (!side.contains(id)) {
            side.add(id);
          }
        }
        for (long a = 1; a <= max; a++) {
          for (long b = 1; b <= max; b++) {
            if (side.contains(a) != side.contains(b)) {
              sim.network().cut(a, b);
            }
          }
        }
        sim.stats().inc(Counter.PARTITIONS);
        sim.trace(Kind.PARTITION, 0, "symmetric " + side + " | rest");
      }
      long heal = (1 + rng.nextInt(plan.partitionMaxTicks())) * Scheduler.TICK;
      sim.scheduler().after(heal, () -> {
        sim.network().healAll();
        sim.trace(Kind.HEAL, 0, "partition");
      });
    }
    later(plan.partitionGapTicks(), this::partition);
  }

  private void crash() {
    int down = 0;
    List<SimNode> live = new ArrayList<>();
    for (SimNode n : sim.nodes()) {
      if (n.live()) {
        live.add(n);
      } else {
        down++;
      }
    }
    boolean allowed = down < (sim.options().members() - 1) / 2
        || rng.nextDouble() < plan.majorityCrashRate();
    if (allowed && !live.isEmpty()) {
      SimNode leader = sim.currentLeader();
      SimNode victim = leader != null && rng.nextDouble() < plan.leaderCrashBias() ? leader
          : live.get(rng.nextInt(live.size()));
      if (rng.nextDouble() < plan.midReadyCrashRate()) {
        int r = rng.nextInt(4);
        victim.armCrash(r < 2 ? CrashPoint.BEFORE_PERSIST
            : r == 2 ? CrashPoint.AFTER_PERSIST : CrashPoint.DURING_APPLY);
      } else {
        victim.crash("between events");
      }
    }
    later(plan.crashGapTicks(), this::crash);
  }

  /**
   * Leader churn: a new leader is often cut off or crashed within a few ticks of its election,
   * while it has replicated only part of its log. That leaves members with divergent uncommitted
   * tails from different terms, the ground on which commit-rule bugs (Raft figure 8) bite; one-
   * entry appends make the follower acknowledgements incremental within that window.
   */
  void onNewLeader(SimNode n, long term) {
    if (!sim.faultsActive() || rng.nextDouble() >= plan.newLeaderFaultRate()) {
      return;
    }
    int how = rng.nextInt(5);
    if (how < 3) {
      // Mute after a few more messages (0 keeps even the no-op from leaving the leader); small
      // counts are likelier, so the cut lands anywhere in the first few replication steps.
      int messages = rng.nextInt(1 + rng.nextInt(12));
      int ticks = 5 + rng.nextInt(40);
      sim.network().armFuse(n.id(), messages, ticks);
      sim.stats().inc(Counter.PARTITIONS);
      sim.trace(Kind.PARTITION, n.id(), "new leader mutes after " + messages + " messages");
      return;
    }
    int incarnation = n.incarnation();
    sim.scheduler().after(rng.nextLong(3 * Scheduler.TICK), () -> {
      if (!n.live() || n.incarnation() != incarnation || n.raft().term() != term
          || !sim.faultsActive()) {
        return;
      }
      if (how == 3) {
        sim.network().isolate(n.id());
        sim.stats().inc(Counter.PARTITIONS);
        sim.trace(Kind.PARTITION, 0, "isolate new leader " + n.id());
        sim.scheduler().after((5 + rng.nextInt(60)) * Scheduler.TICK, () -> {
          sim.network().reconnect(n.id());
          sim.trace(Kind.HEAL, 0, "reconnect " + n.id());
        });
      } else {
        n.crash("new leader crashed");
      }
    });
  }

  /** Called whenever a member crashes (at once or at an armed point): schedule its restart. */
  void onCrashed(SimNode n) {
    int incarnation = n.incarnation();
    long delay = (1 + rng.nextInt(plan.downMaxTicks())) * Scheduler.TICK;
    sim.scheduler().after(delay, () -> {
      if (!n.live() && n.incarnation() == incarnation && sim.faultsActive()) {
        n.start();
      }
    });
  }

  private void transfer() {
    SimNode leader = sim.currentLeader();
    if (leader != null) {
      List<Long> voters = new ArrayList<>(
          Simulation.sorted(leader.raft().status().confState().voters()));
      voters.remove(leader.id());
      // Now and then a target that is no voter (a learner, a stranger, the leader itself): the
      // core must refuse or ignore it without harm.
      long target = voters.isEmpty() || rng.nextDouble() < 0.1
          ? 1 + rng.nextInt(sim.options().maxNodeId()) : voters.get(rng.nextInt(voters.size()));
      try {
        leader.transferLeadership(target);
        sim.stats().inc(Counter.LEADER_TRANSFERS);
        sim.trace(Kind.TRANSFER, leader.id(), "to " + target);
      } catch (ProposalRejectedException e) {
        sim.trace(Kind.REJECT, leader.id(), "transfer to " + target + ": " + e.getMessage());
      }
    }
    later(plan.transferGapTicks(), this::transfer);
  }

  private void snapshot(SimNode n) {
    int r = rng.nextInt(4);
    n.snapshot(r < 2 ? 0 : rng.nextInt(1, 6));
    later(plan.snapshotGapTicks(), () -> snapshot(n));
  }

  private void healAll() {
    sim.network().healAll();
    sim.network().stopFaults();
    sim.trace(Kind.HEAL, 0, "all faults stop");
    for (SimNode n : sim.nodes()) {
      n.disarm();
      if (!n.live()) {
        n.start();
      }
    }
  }
}
