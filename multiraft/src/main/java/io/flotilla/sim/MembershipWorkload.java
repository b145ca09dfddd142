package io.flotilla.sim;

import io.flotilla.raft.ConfChange;
import io.flotilla.raft.ConfChange.Change;
import io.flotilla.raft.ConfChange.ChangeType;
import io.flotilla.raft.ConfChange.Transition;
import io.flotilla.raft.ConfState;
import io.flotilla.raft.ProposalRejectedException;
import io.flotilla.sim.EventTrace.Kind;
import io.flotilla.sim.SimStats.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Membership changes proposed through the leader in the middle of the faults: add learners,
 * promote, add voters directly, remove voters (the leader too), demote, and joint changes of two
 * voters at once (swap, add two, remove two). The envelope: never fewer than 3 voters, ids only
 * from 1..maxNodeId. Members outside the configuration keep running and may be added back.
 *
 * <p>A joint configuration entered with {@link Transition#JOINT_EXPLICIT} is left by this
 * workload (it proposes {@link ConfChange#leaveJoint()}), also after the heal, so no run ends
 * stuck in a joint configuration nobody will leave.
 */
final class MembershipWorkload {
  private static final int MIN_VOTERS = 3;

  private final Simulation sim;
  private final RandomGenerator rng;

  MembershipWorkload(Simulation sim) {
    this.sim = sim;
    this.rng = sim.rng();
  }

  void start() {
    schedule();
  }

  private void schedule() {
    long gap = sim.faultsActive() ? FaultPlan.gap(rng, sim.plan().confChangeGapTicks()) : 5;
    if (sim.scheduler().now() + gap * Scheduler.TICK < sim.endTime()) {
      sim.scheduler().after(gap * Scheduler.TICK, this::step);
    }
  }

  private void step() {
    SimNode leader = sim.currentLeader();
    if (leader != null) {
      ConfState cs = leader.raft().status().confState();
      ConfChange cc = null;
      if (cs.isJoint()) {
        if (!cs.autoLeave()) {
          cc = ConfChange.leaveJoint();
        }
      } else if (sim.faultsActive()) {
        cc = choose(cs, leader.id());
      }
      if (cc != null) {
        try {
          leader.proposeConfChange(cc);
          sim.stats().inc(Counter.CONF_CHANGES_PROPOSED);
          sim.trace(Kind.CONF_CHANGE, leader.id(), "propose " + cc);
        } catch (ProposalRejectedException e) {
          sim.trace(Kind.REJECT, leader.id(), "conf change " + cc + ": " + e.getMessage());
        }
      }
    }
    schedule();
  }

  private ConfChange choose(ConfState cs, long leaderId) {
    List<Long> voters = Simulation.sorted(cs.voters());
    List<Long> learners = Simulation.sorted(cs.learners());
    List<Long> others = new ArrayList<>();
    for (long id = 1; id <= sim.options().maxNodeId(); id++) {
      if (!voters.contains(id) && !learners.contains(id)) {
        others.add(id);
      }
    }
    List<Long> candidates = new ArrayList<>(learners);
    candidates.addAll(others);
    // Removing the leader itself is the interesting case; pick it often.
    long victim = rng.nextInt(3) == 0 ? leaderId : pick(voters);
    boolean canShrink = voters.size() > MIN_VOTERS;
    List<ConfChange> options = new ArrayList<>();
    if (!others.isEmpty()) {
      options.add(simple(ChangeType.ADD_LEARNER, pick(others)));
      options.add(simple(ChangeType.ADD_VOTER, pick(others)));
    }
    if (!learners.isEmpty()) {
      options.add(simple(ChangeType.ADD_VOTER, pick(learners)));
      options.add(simple(ChangeType.ADD_VOTER, pick(learners)));
      options.add(simple(ChangeType.REMOVE, pick(learners)));
    }
    if (canShrink) {
      options.add(simple(ChangeType.REMOVE, victim));
      options.add(simple(ChangeType.ADD_LEARNER, victim));
    }
    if (!candidates.isEmpty()) {
      long in = pick(candidates);
      options.add(joint(new Change(ChangeType.ADD_VOTER, in), new Change(ChangeType.REMOVE,
          victim)));
      options.add(joint(new Change(ChangeType.ADD_VOTER, in), new Change(ChangeType.ADD_LEARNER,
          victim)));
      if (candidates.size() >= 2) {
        long in2 = candidates.get((candidates.indexOf(in) + 1) % candidates.size());
        options.add(joint(new Change(ChangeType.ADD_VOTER, in), new Change(ChangeType.ADD_VOTER,
            in2)));
      }
    }
    if (voters.size() - 2 >= MIN_VOTERS) {
      long other = voters.get((voters.indexOf(victim) + 1) % voters.size());
      options.add(joint(new Change(ChangeType.REMOVE, victim), new Change(ChangeType.REMOVE,
          other)));
    }
    return options.isEmpty() ? null : options.get(rng.nextInt(options.size()));
  }

  private long pick(List<Long> ids) {
    return ids.get(rng.nextInt(ids.size()));
  }

  /** One change, usually simple; sometimes forced through a joint configuration. */
  private ConfChange simple(ChangeType type, long id) {
    int r = rng.nextInt(10);
    Transition t = r < 7 ? Transition.AUTO : r < 9 ? Transition.JOINT_IMPLICIT
        : Transition.JOINT_EXPLICIT;
    return new ConfChange(List.of(new Change(type, id)), t);
  }

  /** Two voter changes: AUTO enters a joint configuration that the leader leaves itself. */
  private ConfChange joint(Change a, Change b) {
    Transition t = rng.nextInt(5) == 0 ? Transition.JOINT_EXPLICIT : Transition.AUTO;
    return new ConfChange(List.of(a, b), t);
  }
}
