package io.flotilla.sim;

import io.flotilla.raft.ConfState;
import io.flotilla.raft.ProposalId;
import io.flotilla.raft.ProposalRejectedException;
import io.flotilla.sim.EventTrace.Kind;
import io.flotilla.sim.SimStats.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * After the heal, once per tick: is the group live again? Within
 * {@link SimOptions#LIVENESS_BOUND_TICKS} of the heal, at one instant, all of these must hold:
 *
 * <ul>
 *   <li>a live member leads and is a voter of its configuration;
 *   <li>a fresh proposal (a probe) it accepted is applied on every member of its configuration;
 *   <li>every voter's commit index equals the leader's;
 *   <li>every put a client got accepted is resolved: applied, or certainly never to be (an entry
 *       of a later term is applied at or before its index, so by the log's term order it can never
 *       commit).
 * </ul>
 */
final class LivenessCheck {
  private final Simulation sim;
  private ProposalId probe;
  private long probeLeader;
  private long probes;
  private boolean achieved;

  LivenessCheck(Simulation sim) {
    this.sim = sim;
  }

  boolean achieved() {
    return achieved;
  }

  void start() {
    sim.scheduler().at(sim.healTime() + Scheduler.TICK - 1, this::check);
  }

  private void check() {
    String unmet = unmet();
    long ticks = sim.scheduler().tick() - sim.options().healTick();
    if (unmet == null) {
      achieved = true;
      sim.stats().max(Counter.RECOVERY_TICKS_MAX, ticks);
      sim.trace(Kind.LIVENESS, 0, "live again " + ticks + " ticks after the heal");
      return;
    }
    if (ticks >= SimOptions.LIVENESS_BOUND_TICKS) {
      throw new SimViolation("liveness", "not live " + ticks + " ticks after the heal: "
          + unmet);
    }
    sim.scheduler().after(Scheduler.TICK, this::check);
  }

  /** What is not live yet, or null when everything is. */
  private String unmet() {
    SimNode leader = sim.currentLeader();
    if (leader == null) {
      return "no leader";
    }
    ConfState cs = leader.raft().status().confState();
    if (!cs.voters().contains(leader.id()) && !cs.votersOutgoing().contains(leader.id())) {
      return "leader " + leader.id() + " is not a voter";
    }
    Invariants inv = sim.invariants();
    if (probe != null && (probeLeader != leader.id() || superseded(probe))) {
      probe = null;
    }
    if (probe == null) {
      try {
        int incarnation = leader.incarnation();
        ProposalId pid = leader.propose(Command.probe(++probes));
        if (leader.incarnation() == incarnation) {
          probe = pid;
          probeLeader = leader.id();
        }
      } catch (ProposalRejectedException e) {
        return "leader " + leader.id() + " rejects a proposal: " + e.getMessage();
      }
      return "probe " + probe + " just proposed";
    }
    if (inv.appliedMax() < probe.index()) {
      return "probe " + probe.term() + "/" + probe.index() + " not committed (applied up to "
          + inv.appliedMax() + ")";
    }
    List<Long> members = new ArrayList<>(Simulation.sorted(cs.voters()));
    addAll(members, cs.votersOutgoing());
    addAll(members, cs.learners());
    long commit = leader.raft().commitIndex();
    for (long id : members) {
      SimNode n = sim.node(id);
      if (!n.live()) {
        return "member " + id + " is down";
      }
      if (n.applied() < probe.index()) {
        return "member " + id + " applied " + n.applied() + " < probe index " + probe.index();
      }
      boolean voter = cs.voters().contains(id) || cs.votersOutgoing().contains(id);
      if (voter && n.raft().commitIndex() != commit) {
        return "voter " + id + " commit " + n.raft().commitIndex() + " != leader's " + commit;
      }
    }
    for (History.Op op : sim.history().ops()) {
      if (op.put && op.status != History.Status.OK && op.status != History.Status.FAILED
          && !resolved(op.pid)) {
        return "client proposal " + op + " unresolved (applied up to " + inv.appliedMax() + ")";
      }
    }
    return null;
  }

  private boolean superseded(ProposalId pid) {
    Invariants inv = sim.invariants();
    return pid.index() <= inv.appliedMax() ? inv.appliedTerm(pid.index()) != pid.term()
        : inv.appliedTerm(inv.appliedMax()) > pid.term();
  }

  /** Whether the fate of the proposal is known for certain. */
  private boolean resolved(ProposalId pid) {
    Invariants inv = sim.invariants();
    return pid.index() <= inv.appliedMax() || inv.appliedTerm(inv.appliedMax()) > pid.term();
  }

  private static void addAll(List<Long> out, Set<Long> ids) {
    for (long id : Simulation.sorted(ids)) {
      if (!out.contains(id)) {
        out.add(id);
      }
    }
  }
}
