package io.flotilla.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.ProposalId;
import io.flotilla.raft.ProposalRejectedException;
import io.flotilla.raft.RaftNode;
import io.flotilla.sim.EventTrace.Kind;
import io.flotilla.sim.SimStats.Counter;
import java.util.random.RandomGenerator;

/**
 * A few clients, each with one operation in flight at a time: {@code put(key, unique value)}
 * proposed to the member the client believes leads (following NOT_LEADER hints), or a
 * linearizable {@code get(key)} through ReadIndex on a random member.
 *
 * <p>A put completes when the member it was proposed to applies an entry at its index: OK if the
 * entry is the proposal (same term), FAILED if it is another entry (certain: one entry per
 * index). If that member crashes or the client times out first, the put stays UNKNOWN; it may
 * still take effect, which the history allows for. Clients never retry an accepted put, so a
 * value is written at most once.
 */
final class ClientWorkload {
  private static final int MAX_ATTEMPTS = 10;

  private static final class Client {
    final int id;
    long believedLeader;
    History.Op op;
    long readRequest;

    Client(int id, long believedLeader) {
      this.id = id;
      this.believedLeader = believedLeader;
    }
  }

  private final Simulation sim;
  private final RandomGenerator rng;
  private final Client[] clients;
  private long nextRequestId = 1;

  ClientWorkload(Simulation sim, int count) {
    this.sim = sim;
    this.rng = sim.rng();
    clients = new Client[count];
    for (int i = 0; i < count; i++) {
      clients[i] = new Client(i + 1, 1 + rng.nextInt(sim.options().members()));
    }
  }

  void start() {
    for (Client c : clients) {
      sim.scheduler().after(rng.nextLong(5 * Scheduler.TICK), () -> act(c));
    }
  }

  private void act(Client c) {
    if (c.op == null && sim.clientsActive()) {
      attempt(c, rng.nextInt(10) < 6, rng.nextInt(sim.plan().keys()), 0);
    }
  }

  private void next(Client c) {
    sim.scheduler().after(rng.nextLong(3 * Scheduler.TICK), () -> act(c));
  }

  private void attempt(Client c, boolean put, int key, int tries) {
    if (!sim.clientsActive()) {
      return;
    }
    if (tries == MAX_ATTEMPTS) {
      next(c);
      return;
    }
    SimNode target = put ? sim.node(c.believedLeader) : sim.randomLiveNode();
    if (target == null || !target.live()) {
      target = sim.randomLiveNode();
    }
    if (target == null) {
      sim.scheduler().after(Scheduler.TICK, () -> attempt(c, put, key, tries + 1));
      return;
    }
    try {
      if (put) {
        propose(c, key, target);
      } else {
        read(c, key, target);
      }
    } catch (ProposalRejectedException e) {
      sim.stats().inc(Counter.REJECTIONS);
      sim.trace(Kind.REJECT, target.id(), "client " + c.id + ": " + e.getMessage());
      if (e.reason() == ProposalRejectedException.Reason.NOT_LEADER) {
        c.believedLeader = e.leaderHint() != RaftNode.NONE ? e.leaderHint()
            : 1 + rng.nextInt(sim.options().maxNodeId());
      }
      sim.scheduler().after(rng.nextLong(Scheduler.TICK / 4, 2 * Scheduler.TICK),
          () -> attempt(c, put, key, tries + 1));
    }
  }

  private void propose(Client c, int key, SimNode target) {
    long id = sim.history().newId();
    int incarnation = target.incarnation();
    ProposalId pid = target.propose(Command.put(c.id, id, key, id));
    History.Op op = sim.history().invokePut(id, c.id, key, pid, target.id(), incarnation);
    c.believedLeader = target.id();
    sim.trace(Kind.PROPOSE, target.id(), op);
    if (sim.sabotage() == Simulation.Sabotage.EARLY_ACKS) {
      sim.history().completePut(op, History.Status.OK);
      next(c);
      return;
    }
    c.op = op;
    armTimeout(c, op);
  }

  private void read(Client c, int key, SimNode target) {
    long id = sim.history().newId();
    History.Op op = sim.history().invokeGet(id, c.id, key, target.id());
    c.op = op;
    c.readRequest = nextRequestId++;
    if (sim.sabotage() == Simulation.Sabotage.STALE_READS) {
      KvStateMachine kv = target.kv();
      sim.history().completeGet(op, kv.value(key), kv.writeIndex(key));
      c.op = null;
      next(c);
      return;
    }
    try {
      target.readIndex(c.readRequest, key);
    } catch (ProposalRejectedException e) {
      sim.history().abandonGet(op);
      c.op = null;
      throw e;
    }
    if (c.op == op) {
      sim.trace(Kind.READ, target.id(), op);
      armTimeout(c, op);
    }
  }

  private void armTimeout(Client c, History.Op op) {
    sim.scheduler().after(sim.plan().clientTimeoutTicks() * Scheduler.TICK, () -> {
      if (c.op == op) {
        giveUp(c);
      }
    });
  }

  private void giveUp(Client c) {
    History.Op op = c.op;
    if (op.put) {
      sim.history().completePut(op, History.Status.UNKNOWN);
      sim.stats().inc(Counter.PUTS_UNKNOWN);
    } else {
      sim.history().abandonGet(op);
      SimNode n = sim.node(op.node);
      if (n.live()) {
        n.abandonRead(c.readRequest);
      }
      sim.stats().inc(Counter.READS_LOST);
    }
    c.op = null;
    next(c);
  }

  /** A member applied {@code e}: the answer to a put proposed to it, if one waits there. */
  void onApplied(SimNode n, Entry e, Command cmd) {
    for (Client c : clients) {
      History.Op op = c.op;
      if (op == null || !op.put || op.node != n.id() || op.incarnation != n.incarnation()
          || op.pid.index() != e.index()) {
        continue;
      }
      if (e.term() == op.pid.term()) {
        if (cmd == null || cmd.kind() != Command.PUT || cmd.op() != op.id) {
          throw new SimViolation("state machine safety", "proposal " + op + " was accepted as "
              + op.pid + " but member " + n.id() + " applies " + Messages.describe(e)
              + " there");
        }
        sim.history().completePut(op, History.Status.OK);
        sim.stats().inc(Counter.PUTS_OK);
      } else {
        sim.history().completePut(op, History.Status.FAILED);
        sim.stats().inc(Counter.PUTS_FAILED);
      }
      sim.trace(Kind.COMPLETE, n.id(), op);
      c.op = null;
      next(c);
    }
  }

  /** A member served a get: {@code value} (0 if absent) written at {@code writeIndex}. */
  void onReadServed(SimNode n, long requestId, long value, long writeIndex) {
    for (Client c : clients) {
      History.Op op = c.op;
      if (op != null && !op.put && c.readRequest == requestId && op.node == n.id()) {
        sim.history().completeGet(op, value, writeIndex);
        sim.stats().inc(Counter.READS);
        sim.trace(Kind.READ_SERVED, n.id(), op);
        c.op = null;
        next(c);
      }
    }
  }

  /** A member crashed: the operations waiting on it lose their answer. */
  void onCrashed(SimNode n) {
    for (Client c : clients) {
      if (c.op != null && c.op.node == n.id()) {
        giveUp(c);
      }
    }
  }
}
